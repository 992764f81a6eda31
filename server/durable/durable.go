// Package durable writes files so that they survive a crash: whole or not
// at all. It is what "acknowledged only once it is on disk" rests on for
// the accounts file, the relay queue and the relay ids.
package durable

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
)

// WriteFile replaces the file at path with what r gives: it writes a
// temporary file beside it (mode perm, whatever an old temporary file had),
// flushes it to disk, and renames it over path. A reader of path sees the
// old contents or the new, never a part. The folder itself is not flushed:
// call SyncDir when the new name must survive a crash too.
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
		err = os.Rename(tmp, path)
	}
	if err != nil {
		os.Remove(tmp)
		return fmt.Errorf("durable: %w", err)
	}
	return nil
}

// SyncDir flushes a folder, so that the names created, renamed or removed
// in it survive a crash.
func SyncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("durable: %w", err)
	}
	err = d.Sync()
	if cerr := d.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("durable: %w", err)
	}
	return nil
}

// Replace is WriteFile followed by SyncDir of the file's folder.
func Replace(path string, r io.Reader, perm os.FileMode) error {
	if err := WriteFile(path, r, perm); err != nil {
		return err
	}
	return SyncDir(filepath.Dir(path))
}
