"""The outlet staff register and the jobs each outlet creates."""
