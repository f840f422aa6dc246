"""The MASH stage: information from agencies, the MASH and strategy discussions, the outcome and
allocation."""
