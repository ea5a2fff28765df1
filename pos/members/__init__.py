"""The cooperative's members: its register, and (to come) the member at the till and the SHU at the RAT."""
