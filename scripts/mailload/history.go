//go:build !windows

package main

import (
	"fmt"
	"io/fs"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"
)

// runHistory measures how the cost of a session changes as the server's
// history grows: it runs sessions of USER, PASS, STAT and QUIT one after
// the other (one client, as a student's script would) and, at each
// checkpoint, reports the mean and median time of the last -window
// sessions, the server's RSS (its process tree) and, with -data, the size
// of the group's folder (mail aside).
//
//	mailload history -server NAME -addr HOST:PORT -user U -password PW -pid PID [-data DIR] [-at 1000,10000,100000] [-window 1000]
func runHistory(args []string) (*Result, error) {
	fs := newFlags("history")
	server := fs.String("server", "", "name of the server, for the report")
	addr := fs.String("addr", "", "POP3 address")
	user := fs.String("user", "", "the user")
	password := fs.String("password", "", "the user's password")
	pid := fs.Int("pid", 0, "the server's process, for its RSS")
	data := fs.String("data", "", "the group's data folder, for its size (optional)")
	at := fs.String("at", "1000,10000,100000", "checkpoints: numbers of sessions, comma-separated")
	window := fs.Int("window", 1000, "sessions measured before each checkpoint")
	timeout := fs.Duration("timeout", time.Hour, "give up after")
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	var checkpoints []int
	for _, s := range list(*at) {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 {
			return nil, fmt.Errorf("-at: %q is not a number of sessions", s)
		}
		checkpoints = append(checkpoints, n)
	}
	slices.Sort(checkpoints)
	if *addr == "" || *user == "" || *pid == 0 || len(checkpoints) == 0 {
		return nil, fmt.Errorf("-addr, -user, -pid and -at are required")
	}
	deadline := time.Now().Add(*timeout)
	res := &Result{Test: "history", Server: *server, Values: map[string]float64{}}
	recent := make([]time.Duration, 0, *window)
	next := 0
	start := time.Now()
	var first float64
	for n := 1; n <= checkpoints[len(checkpoints)-1]; n++ {
		if time.Now().After(deadline) {
			res.Notes = append(res.Notes, fmt.Sprintf("stopped after %d sessions: out of time", n-1))
			break
		}
		t := time.Now()
		if err := quickSession(*addr, *user, *password, deadline); err != nil {
			return nil, fmt.Errorf("session %d: %w", n, err)
		}
		d := time.Since(t)
		if len(recent) < *window {
			recent = append(recent, d)
		} else {
			recent[n%*window] = d
		}
		if n != checkpoints[next] {
			continue
		}
		next++
		sorted := slices.Clone(recent)
		slices.Sort(sorted)
		var sum time.Duration
		for _, x := range sorted {
			sum += x
		}
		mean := ms(sum) / float64(len(sorted))
		m, err := treeMemory(*pid)
		if err != nil {
			return nil, err
		}
		k := strconv.Itoa(n)
		res.Values["ms_"+k] = mean
		res.Values["p50_ms_"+k] = ms(percentile(sorted, 50))
		res.Values["rss_mib_"+k] = m.rss
		line := fmt.Sprintf("%s history: after %d sessions (%v): %.3f ms a session (p50 %.3f), RSS %.1f MiB",
			*server, n, time.Since(start).Round(time.Second), mean, res.Values["p50_ms_"+k], m.rss)
		if *data != "" {
			b, err := folderBytes(*data)
			if err != nil {
				return nil, err
			}
			res.Values["folder_mib_"+k] = float64(b) / (1 << 20)
			line += fmt.Sprintf(", folder %.1f MiB", res.Values["folder_mib_"+k])
		}
		if first == 0 {
			first = mean
		} else {
			res.Values["cost_ratio_"+k] = mean / first
			line += fmt.Sprintf(", %.2f× the cost at %d", mean/first, checkpoints[0])
		}
		status("%s", line)
	}
	res.Values["seconds"] = time.Since(start).Seconds()
	return res, nil
}

// quickSession is USER, PASS, STAT, QUIT.
func quickSession(addr, user, password string, deadline time.Time) error {
	return quickSessionFrom(addr, "", user, password, deadline)
}

// quickSessionFrom is quickSession from the local address from ("": any).
func quickSessionFrom(addr, from, user, password string, deadline time.Time) error {
	c, err := dialPOP3From(addr, from, deadline)
	if err != nil {
		return err
	}
	defer c.nc.Close()
	c.nc.SetDeadline(time.Now().Add(time.Minute))
	for _, line := range []string{"USER " + user, "PASS " + password, "STAT", "QUIT"} {
		if _, err := c.cmd(line); err != nil {
			return err
		}
	}
	return nil
}

// folderBytes is the size of the files under dir, its mail/ aside.
func folderBytes(dir string) (int64, error) {
	var n int64
	err := filepath.WalkDir(dir, func(p string, e fs.DirEntry, err error) error {
		if err != nil {
			if p != dir && strings.Contains(err.Error(), "no such file") {
				return nil // removed meanwhile (a rotated segment compressed)
			}
			return err
		}
		if e.IsDir() && e.Name() == "mail" && filepath.Dir(p) == filepath.Clean(dir) {
			return filepath.SkipDir
		}
		if fi, err := e.Info(); err == nil && fi.Mode().IsRegular() {
			n += fi.Size()
		}
		return nil
	})
	return n, err
}
