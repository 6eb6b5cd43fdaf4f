"""Use cases: a workspace's incidents in a window, read in bounded pages, and what they add up to."""
