"""`make reliability`: the figures of docs/reliability.md, each from a bounded run on this machine."""
