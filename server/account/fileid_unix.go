//go:build unix

package account

import (
	"os"
	"syscall"
)

// fileID is the file's inode number, which tells a file replaced by a rename
// from the old one even when both have the same size and time.
func fileID(fi os.FileInfo) uint64 {
	if st, ok := fi.Sys().(*syscall.Stat_t); ok {
		return uint64(st.Ino)
	}
	return 0
}
