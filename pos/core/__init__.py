"""Cross-cutting pieces every feature uses: the clock."""
