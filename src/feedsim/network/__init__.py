"""The implementation of :mod:`feedsim.networks` (generators, loaders, the array form).

Internal: the public names live in :mod:`feedsim.networks`, the one public
module for graphs; these submodules (``graph``, ``loaders``, ``generators``,
``roles``) may change without notice.
"""
