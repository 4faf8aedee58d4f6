package main

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"
)

// The data dir holds the SQLite store and the embedded Temporal server's
// database. `hailurah dev` holds an advisory lock on it for as long as it
// runs, and `seed-demo` for as long as it fills it, so neither starts a
// second Temporal server on the same files or fills a store the other is
// filling. The lock file names its holder and, for `hailurah dev`, the
// address of its Temporal server, so `seed-demo` can work through it. The
// kernel drops the lock when its process ends, however it ends: a crash
// leaves no stale lock.

const dataLockFile = "hailurah.lock"

// dataHolder is what the lock file says of the process holding it.
type dataHolder struct {
	PID     int       `json:"pid"`
	Command string    `json:"command"` // "dev" or "seed-demo"
	Since   time.Time `json:"since"`
	// Store names the holder's database (storeID), so a process beside it
	// can tell whether it would write to the same one.
	Store string `json:"store"`
	// Temporal is the frontend address of the holder's Temporal server,
	// once it serves; Web the holder's web address, once it listens.
	Temporal string `json:"temporal,omitempty"`
	Web      string `json:"web,omitempty"`
}

// dataLock is a held lock on a data dir.
type dataLock struct {
	f      *os.File
	holder dataHolder
}

// errDataDirBusy says another process holds the data dir.
var errDataDirBusy = errors.New("data dir in use")

// storeID names the database of a configuration without its credentials:
// "sqlite" for the data dir's, else "postgres:" and a hash of the URL.
func storeID(databaseURL string) string {
	if databaseURL == "" {
		return "sqlite"
	}
	sum := sha256.Sum256([]byte(databaseURL))
	return "postgres:" + hex.EncodeToString(sum[:6])
}

// lockDataDir takes the data dir's lock for command, writing to a store
// (storeID). When another process holds it, it returns what that process
// wrote about itself (waiting up to a few seconds for it to do so) and an
// error wrapping errDataDirBusy.
func lockDataDir(dir, command, store string) (*dataLock, *dataHolder, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, nil, fmt.Errorf("data dir: %w", err)
	}
	path := filepath.Join(dir, dataLockFile)
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, nil, fmt.Errorf("data dir lock: %w", err)
	}
	held, err := tryLock(f)
	if err != nil {
		f.Close()
		return nil, nil, fmt.Errorf("data dir lock %s: %w", path, err)
	}
	if !held {
		f.Close()
		return nil, readHolder(dir), fmt.Errorf("%s: %w", dir, errDataDirBusy)
	}
	l := &dataLock{f: f, holder: dataHolder{PID: os.Getpid(), Command: command, Since: time.Now(), Store: store}}
	if err := l.write(); err != nil {
		l.release()
		return nil, nil, err
	}
	return l, nil, nil
}

// readHolder reads the holder's note; a holder that has just taken the
// lock may not have written it yet, so an empty or partial file is read
// again for a few seconds before giving up with what it says (nil).
func readHolder(dir string) *dataHolder {
	deadline := time.Now().Add(3 * time.Second)
	for {
		var h dataHolder
		b, err := os.ReadFile(filepath.Join(dir, dataLockFile))
		if err == nil && json.Unmarshal(b, &h) == nil && h.PID != 0 {
			return &h
		}
		if time.Now().After(deadline) {
			return nil
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// serving records where the holder's Temporal server and web server
// listen, for a seed-demo run beside it.
func (l *dataLock) serving(temporal, web string) error {
	if l == nil {
		return nil
	}
	l.holder.Temporal, l.holder.Web = temporal, web
	return l.write()
}

func (l *dataLock) write() error {
	b, err := json.Marshal(l.holder)
	if err != nil {
		return err
	}
	if err := l.f.Truncate(0); err != nil {
		return err
	}
	_, err = l.f.WriteAt(b, 0)
	return err
}

// release gives the data dir back. The file stays: removing it would let
// a process that opened it just before take a lock on a file no one else
// finds.
func (l *dataLock) release() {
	if l == nil || l.f == nil {
		return
	}
	_ = l.f.Truncate(0)
	_ = unlock(l.f)
	_ = l.f.Close()
	l.f = nil
}

// describe names the holder for a message: "hailurah dev (pid 1234,
// http://localhost:8080)".
func (h *dataHolder) describe() string {
	if h == nil {
		return "proses hailurah lain"
	}
	s := fmt.Sprintf("hailurah %s (pid %d", h.Command, h.PID)
	if h.Web != "" {
		s += ", " + h.Web
	}
	return s + ")"
}
