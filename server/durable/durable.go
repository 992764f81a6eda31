// Package durable writes files so that they survive a crash: whole or not
// at all. It is what "acknowledged only once it is on disk" rests on for
// the accounts file, the relay queue, the relay ids and the Maildirs.
//
// It works the same on Linux, macOS and Windows: a file's data is flushed
// with os.File.Sync (on macOS that is fcntl F_FULLFSYNC, since fsync there
// leaves the data in the drive's cache); a folder is flushed where the
// system has a way to (Linux and macOS), and on Windows, which has none, a
// rename is made with MOVEFILE_WRITE_THROUGH instead, which returns only
// once the new name is on disk.
package durable

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
)

// WriteFile replaces the file at path with what r gives: it writes a
// temporary file beside it (mode perm, whatever an old temporary file had),
// flushes it to disk, renames it over path and flushes the folder. A reader
// of path sees the old contents or the new, never a part, and once it
// returns nil the new contents survive a crash, under the name path even
// when that name is new.
func WriteFile(path string, r io.Reader, perm os.FileMode) error {
	tmp := path + ".tmp"
	f, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, perm)
	if err != nil {
		return fmt.Errorf("durable: %w", err)
	}
	_, err = io.Copy(f, r)
	if err == nil {
		err = f.Chmod(perm)
	}
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = Rename(tmp, path)
	}
	if err != nil {
		os.Remove(tmp)
		return fmt.Errorf("durable: %w", err)
	}
	return SyncDir(filepath.Dir(path))
}

// Replace is WriteFile; it is kept for the callers that used to flush the
// folder apart.
func Replace(path string, r io.Reader, perm os.FileMode) error {
	return WriteFile(path, r, perm)
}

// SyncDir flushes a folder, so that the names created, renamed or removed
// in it survive a crash. On Windows, where a folder cannot be flushed, it
// only checks that the folder is there (renames made with Rename are on
// disk already).
func SyncDir(dir string) error {
	if err := syncDir(dir); err != nil {
		return fmt.Errorf("durable: %w", err)
	}
	return nil
}

// Rename renames (moving over an existing file) as os.Rename does. On
// Windows it returns once the new name is on disk; elsewhere the caller
// flushes the folder with SyncDir, once for any number of renames.
func Rename(from, to string) error {
	return rename(from, to)
}
