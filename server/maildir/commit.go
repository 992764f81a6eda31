package maildir

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"

	"golang.org/x/sys/unix"
)

// A delivery written to tmp/ and waiting to be committed: its data
// flushed, renamed into new/, and new/ flushed.
type delivery struct {
	fd   int    // the file in tmp/, open for writing; closed when renamed
	tmp  string // its path
	dir  string // the new/ folder it goes to
	name string // its name there
	dev  uint64 // the device of its file system

	renamed bool
	err     error
	done    bool // guarded by committer.mu
}

// committer commits the deliveries of the process in rounds. Each round
// makes one flush — of each file system, or of each file and folder — that
// covers the data of the deliveries written since the last round and the
// renames of those whose data the last round flushed; then the first are
// renamed and the second are done. So a delivery is done after two rounds,
// its data on disk before its rename is made and its rename on disk before
// it is done, while the deliveries of many sessions share each flush and the
// sessions whose messages are being flushed can already write the next.
//
// Rounds are run by the Deliver calls themselves: one at a time, whichever
// is waiting when none runs.
var committer struct {
	mu      sync.Mutex
	cond    sync.Cond
	written []*delivery // data to flush
	renamed []*delivery // renames to flush
	busy    bool        // a round is running
}

func init() { committer.cond.L = &committer.mu }

// commit flushes x's data, renames it into new/ and flushes new/, sharing
// the flushes with the other deliveries, and returns x's error. On error
// nothing of x is left in tmp/ or new/.
func commit(x *delivery) error {
	var st syscall.Stat_t
	if err := syscall.Fstat(x.fd, &st); err != nil {
		syscall.Close(x.fd)
		os.Remove(x.tmp)
		return &os.PathError{Op: "fstat", Path: x.tmp, Err: err}
	}
	x.dev = uint64(st.Dev)
	c := &committer
	c.mu.Lock()
	c.written = append(c.written, x)
	for !x.done {
		if c.busy {
			c.cond.Wait()
			continue
		}
		data, names := c.written, c.renamed
		c.written, c.renamed = nil, nil
		c.busy = true
		c.mu.Unlock()
		renamed := round(data, names)
		c.mu.Lock()
		c.busy = false
		for _, y := range names {
			y.done = true
		}
		for _, y := range data {
			if !y.renamed {
				y.done = true // failed
			}
		}
		c.renamed = append(c.renamed, renamed...)
		c.cond.Broadcast()
	}
	c.mu.Unlock()
	return x.err
}

// round flushes the data of the deliveries in data and the renames of those
// in names, then renames the first, and returns those renamed. A failed
// delivery is cleaned up and has its err set.
func round(data, names []*delivery) []*delivery {
	if len(data)+len(names) > 1 && syncfsFlushesAll(data, names) {
		syncFileSystems(data, names)
	} else {
		syncEach(data, names)
	}
	return settle(data, names)
}

// settle does what follows a round's flush: it takes back the renames whose
// flush failed, and renames the data whose flush succeeded (closing their
// files), and returns those renamed.
func settle(data, names []*delivery) []*delivery {
	for _, x := range names {
		if x.err != nil {
			os.Remove(filepath.Join(x.dir, x.name)) // renamed, but not safely
		}
	}
	var renamed []*delivery
	for _, x := range data {
		if err := syscall.Close(x.fd); err != nil && x.err == nil {
			x.err = &os.PathError{Op: "close", Path: x.tmp, Err: err}
		}
		if x.err == nil {
			x.err = os.Rename(x.tmp, filepath.Join(x.dir, x.name))
		}
		if x.err != nil {
			os.Remove(x.tmp)
			continue
		}
		x.renamed = true
		renamed = append(renamed, x)
	}
	return renamed
}

// syncEach fsyncs each file of data and each new/ folder of names once,
// all at the same time; one alone is fsynced as a delivery on its own is.
func syncEach(data, names []*delivery) {
	dirs := map[string][]*delivery{}
	for _, x := range names {
		dirs[x.dir] = append(dirs[x.dir], x)
	}
	if len(data) == 1 && len(dirs) == 0 {
		data[0].err = fsync(data[0].fd, data[0].tmp)
		return
	}
	var wg sync.WaitGroup
	for _, x := range data {
		wg.Add(1)
		go func() {
			defer wg.Done()
			x.err = fsync(x.fd, x.tmp)
		}()
	}
	for dir, xs := range dirs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := syncDir(dir); err != nil {
				for _, x := range xs {
					x.err = err
				}
			}
		}()
	}
	wg.Wait()
}

// syncFileSystems calls syncfs once for each file system of the round, and
// fails the deliveries of a file system whose flush failed.
func syncFileSystems(data, names []*delivery) {
	devs := map[uint64][]*delivery{}
	fds := map[uint64]int{} // an open file of the file system, when there is one
	for _, x := range data {
		devs[x.dev] = append(devs[x.dev], x)
		fds[x.dev] = x.fd
	}
	for _, x := range names {
		devs[x.dev] = append(devs[x.dev], x)
	}
	for dev, xs := range devs {
		fd, ok := fds[dev]
		var err error
		if !ok {
			if fd, err = openDir(xs[0].dir); err == nil {
				defer syscall.Close(fd)
			}
		}
		if err == nil {
			for {
				if err = unix.Syncfs(fd); err != unix.EINTR {
					break
				}
			}
			if err != nil {
				err = &os.PathError{Op: "syncfs", Path: xs[0].dir, Err: err}
			}
		}
		if err != nil {
			for _, x := range xs {
				x.err = err
			}
		}
	}
}

// syncfsFlushesAll reports whether syncfs can flush every file system of
// the round.
func syncfsFlushesAll(data, names []*delivery) bool {
	if !syncfsReportsErrors {
		return false
	}
	for _, x := range data {
		if !syncfsFlushes(x.dev, x.fd) {
			return false
		}
	}
	for _, x := range names {
		if ok, known := syncfsOK.Load(x.dev); !known || !ok.(bool) {
			return false
		}
	}
	return true
}

// syncfsReportsErrors: syncfs(2) returns the errors of writing back since
// Linux 5.8; before, a failed write would go unnoticed.
var syncfsReportsErrors = func() bool {
	var u unix.Utsname
	if unix.Uname(&u) != nil {
		return false
	}
	return kernelAtLeast(unix.ByteSliceToString(u.Release[:]), 5, 8)
}()

// kernelAtLeast reports whether a Linux release ("6.1.0-13-amd64") is at
// least major.minor.
func kernelAtLeast(release string, major, minor int) bool {
	maj, rest, _ := strings.Cut(release, ".")
	min, _, _ := strings.Cut(rest, ".")
	if i := strings.IndexFunc(min, func(r rune) bool { return r < '0' || r > '9' }); i >= 0 {
		min = min[:i]
	}
	a, err1 := strconv.Atoi(maj)
	b, err2 := strconv.Atoi(min)
	return err1 == nil && err2 == nil && (a > major || a == major && b >= minor)
}

// syncfsOK caches, by device, whether its file system is one whose syncfs
// writes back and commits everything: ext2/3/4, XFS, Btrfs, F2FS and tmpfs
// (nothing to flush). Others (FUSE, network file systems…) are fsynced
// file by file.
var syncfsOK sync.Map // uint64 → bool

func syncfsFlushes(dev uint64, fd int) bool {
	if ok, known := syncfsOK.Load(dev); known {
		return ok.(bool)
	}
	var st unix.Statfs_t
	if unix.Fstatfs(fd, &st) != nil {
		return false
	}
	var ok bool
	switch st.Type {
	case unix.EXT4_SUPER_MAGIC, unix.XFS_SUPER_MAGIC, unix.BTRFS_SUPER_MAGIC, unix.F2FS_SUPER_MAGIC, unix.TMPFS_MAGIC:
		ok = true
	}
	syncfsOK.Store(dev, ok)
	return ok
}

func fsync(fd int, path string) error {
	for {
		err := syscall.Fsync(fd)
		if err == syscall.EINTR {
			continue
		}
		if err != nil {
			return &os.PathError{Op: "fsync", Path: path, Err: err}
		}
		return nil
	}
}
