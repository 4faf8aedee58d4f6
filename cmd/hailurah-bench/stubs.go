package main

// Sections not written yet; each helper replaces its stub with its own file.
