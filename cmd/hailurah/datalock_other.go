//go:build !unix

package main

import "os"

// Without flock the data dir is not guarded: the embedded Temporal server
// refuses a second start on its port, and nothing more.
func tryLock(*os.File) (bool, error) { return true, nil }

func unlock(*os.File) error { return nil }
