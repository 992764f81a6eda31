//go:build !windows

package main

import (
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// runStat measures listing a big maildrop: APOP followed by STAT (the
// maildrop is read at login, so the two are timed together), and LIST
// (every line read and checked against STAT). The first round is the cold
// one (the script drops the kernel's caches before it); the median of the
// others is the warm figure.
func runStat(args []string) (*Result, error) {
	fs := newFlags("stat")
	server := fs.String("server", "", "name of the server, for the report")
	addr := fs.String("addr", "", "POP3 address")
	user := fs.String("user", "", "user of the big maildrop")
	password := fs.String("password", "", "the user's password")
	expect := fs.Int("expect", 0, "messages the maildrop must hold (0: any)")
	repeat := fs.Int("repeat", 21, "rounds: one cold, the others warm")
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	var loginStat, stat, lst []time.Duration
	for range max(*repeat, 2) {
		a, b, c, err := statRound(*addr, *user, *password, *expect)
		if err != nil {
			return nil, err
		}
		loginStat, stat, lst = append(loginStat, a), append(stat, b), append(lst, c)
	}
	res := &Result{Test: "stat", Server: *server, Values: map[string]float64{
		"cold_login_stat_ms": ms(loginStat[0]),
		"cold_stat_ms":       ms(stat[0]),
		"cold_list_ms":       ms(lst[0]),
		"warm_login_stat_ms": ms(median(loginStat[1:])),
		"warm_stat_ms":       ms(median(stat[1:])),
		"warm_list_ms":       ms(median(lst[1:])),
	}}
	status("%s stat: APOP+STAT cold %.1f ms, warm %.1f ms; LIST cold %.1f ms, warm %.1f ms", *server,
		res.Values["cold_login_stat_ms"], res.Values["warm_login_stat_ms"], res.Values["cold_list_ms"], res.Values["warm_list_ms"])
	return res, nil
}

// statRound times APOP+STAT, STAT alone, and LIST in one session.
func statRound(addr, user, password string, expect int) (loginStat, stat, lst time.Duration, err error) {
	c, err := dialPOP3(addr, time.Now().Add(time.Minute))
	if err != nil {
		return 0, 0, 0, err
	}
	defer c.nc.Close()
	t0 := time.Now()
	if err := c.apop(user, password); err != nil {
		return 0, 0, 0, err
	}
	t1 := time.Now()
	n, total, err := c.stat()
	if err != nil {
		return 0, 0, 0, err
	}
	t2 := time.Now()
	if expect > 0 && n != expect {
		return 0, 0, 0, fmt.Errorf("STAT: %d messages, want %d", n, expect)
	}
	sizes, err := c.list()
	if err != nil {
		return 0, 0, 0, err
	}
	t3 := time.Now()
	if err := checkListing(sizes, n, total); err != nil {
		return 0, 0, 0, err
	}
	_, err = c.cmd("QUIT")
	return t2.Sub(t0), t2.Sub(t1), t3.Sub(t2), err
}

func median(d []time.Duration) time.Duration {
	s := append([]time.Duration(nil), d...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	return s[len(s)/2]
}

// runIdle opens conns POP3 connections that wait after the greeting, from
// several loopback source addresses (so that a per-address limit is not
// what is measured), and reports the server's memory before and with them
// open, and how many the server greeted.
func runIdle(args []string) (*Result, error) {
	fs := newFlags("idle")
	server := fs.String("server", "", "name of the server, for the report")
	addr := fs.String("addr", "", "POP3 address")
	pid := fs.Int("pid", 0, "the server's (main) process; its children are counted too")
	conns := fs.Int("conns", 1000, "connections to hold")
	sources := fs.Int("sources", 10, "loopback source addresses to spread them over (127.0.0.1, .2, …)")
	settle := fs.Duration("settle", 2*time.Second, "wait before measuring")
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	if *addr == "" || *pid == 0 {
		return nil, fmt.Errorf("-addr and -pid are required")
	}
	before, err := treeMemory(*pid)
	if err != nil {
		return nil, err
	}
	var (
		mu      sync.Mutex
		held    []net.Conn
		refused int
		wg      sync.WaitGroup
		jobs    = make(chan int)
	)
	defer func() {
		for _, nc := range held {
			nc.Close()
		}
	}()
	for range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range jobs {
				src := &net.TCPAddr{IP: net.IPv4(127, 0, 0, byte(1+i%max(*sources, 1)))}
				d := net.Dialer{LocalAddr: src, Timeout: 10 * time.Second}
				nc, err := d.Dial("tcp", *addr)
				if err != nil {
					mu.Lock()
					refused++
					mu.Unlock()
					continue
				}
				nc.SetReadDeadline(time.Now().Add(10 * time.Second))
				buf := make([]byte, 512)
				n, _ := nc.Read(buf)
				nc.SetReadDeadline(time.Time{})
				mu.Lock()
				if strings.HasPrefix(string(buf[:n]), "+OK") {
					held = append(held, nc)
				} else {
					refused++
					nc.Close()
				}
				mu.Unlock()
			}
		}()
	}
	for i := range *conns {
		jobs <- i
	}
	close(jobs)
	wg.Wait()
	time.Sleep(*settle)
	with, err := treeMemory(*pid)
	if err != nil {
		return nil, err
	}
	res := &Result{Test: "idle", Server: *server, Values: map[string]float64{
		"conns":          float64(*conns),
		"held":           float64(len(held)),
		"refused":        float64(refused),
		"rss_before_mib": before.rss,
		"pss_before_mib": before.pss,
		"rss_mib":        with.rss,
		"pss_mib":        with.pss,
		"processes":      float64(with.procs),
	}}
	if len(held) > 0 {
		res.Values["rss_per_conn_kib"] = (with.rss - before.rss) * 1024 / float64(len(held))
		res.Values["rss_at_conns_mib"] = before.rss + (with.rss-before.rss)*float64(*conns)/float64(len(held))
	}
	status("%s idle: %d of %d connections greeted (%d refused): RSS %.1f MiB (PSS %.1f MiB) in %d processes, %.1f MiB before",
		*server, len(held), *conns, refused, with.rss, with.pss, with.procs, before.rss)
	return res, nil
}

// runMem reports the memory of a server's processes.
func runMem(args []string) (*Result, error) {
	fs := newFlags("mem")
	server := fs.String("server", "", "name of the server, for the report")
	pid := fs.Int("pid", 0, "the server's (main) process; its children are counted too")
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	m, err := treeMemory(*pid)
	if err != nil {
		return nil, err
	}
	status("%s memory: RSS %.1f MiB, PSS %.1f MiB in %d processes", *server, m.rss, m.pss, m.procs)
	return &Result{Test: "mem", Server: *server, Values: map[string]float64{
		"rss_mib": m.rss, "pss_mib": m.pss, "processes": float64(m.procs),
	}}, nil
}

// memory is what a tree of processes holds, in MiB: RSS summed (shared
// pages counted in each process) and PSS summed (shared pages divided).
type memory struct {
	rss, pss float64
	procs    int
}

// treeMemory sums the memory of pid and all its descendants.
func treeMemory(pid int) (memory, error) {
	pids, err := processTree(pid)
	if err != nil {
		return memory{}, err
	}
	var m memory
	for _, p := range pids {
		rss, err1 := procField(fmt.Sprintf("/proc/%d/status", p), "VmRSS:")
		pss, err2 := procField(fmt.Sprintf("/proc/%d/smaps_rollup", p), "Pss:")
		if err1 != nil || err2 != nil {
			continue // gone meanwhile
		}
		m.rss += rss / 1024
		m.pss += pss / 1024
		m.procs++
	}
	if m.procs == 0 {
		return m, fmt.Errorf("no process %d", pid)
	}
	return m, nil
}

// processTree returns pid and its descendants.
func processTree(root int) ([]int, error) {
	entries, err := os.ReadDir("/proc")
	if err != nil {
		return nil, err
	}
	children := map[int][]int{}
	for _, e := range entries {
		p, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		b, err := os.ReadFile(filepath.Join("/proc", e.Name(), "stat"))
		if err != nil {
			continue
		}
		// "pid (comm) state ppid …": comm may hold spaces and parentheses
		s := string(b)
		fields := strings.Fields(s[strings.LastIndexByte(s, ')')+1:])
		if len(fields) < 2 {
			continue
		}
		ppid, _ := strconv.Atoi(fields[1])
		children[ppid] = append(children[ppid], p)
	}
	out := []int{root}
	for i := 0; i < len(out); i++ {
		out = append(out, children[out[i]]...)
	}
	return out, nil
}

// procField reads a "Name:   123 kB" field of a /proc file, in kB.
func procField(path, name string) (float64, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return 0, err
	}
	for _, line := range strings.Split(string(b), "\n") {
		if rest, ok := strings.CutPrefix(line, name); ok {
			f := strings.Fields(rest)
			if len(f) > 0 {
				return strconv.ParseFloat(f[0], 64)
			}
		}
	}
	return 0, fmt.Errorf("%s: no %s", path, name)
}

// runStart starts a server and measures the time from starting its command
// to the first greeting on each of its addresses. The server is left
// running; its process id goes to -pidfile (for a command that puts itself
// in the background, the script reads the daemon's own pid file instead).
func runStart(args []string) (*Result, error) {
	fs := newFlags("start")
	server := fs.String("server", "", "name of the server, for the report")
	addrs := fs.String("addrs", "", "addresses to wait for, comma-separated")
	pidfile := fs.String("pidfile", "", "file to write the command's process id to")
	logfile := fs.String("log", os.DevNull, "file for the command's output")
	timeout := fs.Duration("timeout", 30*time.Second, "give up after")
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	argv := fs.Args()
	if len(argv) == 0 || *addrs == "" {
		return nil, fmt.Errorf("-addrs and a command are required")
	}
	out, err := os.OpenFile(*logfile, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o600)
	if err != nil {
		return nil, err
	}
	defer out.Close()
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Stdout, cmd.Stderr = out, out
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
	exited := make(chan error, 1)
	t0 := time.Now()
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	go func() { exited <- cmd.Wait() }()
	if *pidfile != "" {
		if err := os.WriteFile(*pidfile, []byte(strconv.Itoa(cmd.Process.Pid)+"\n"), 0o600); err != nil {
			return nil, err
		}
	}
	res := &Result{Test: "start", Server: *server, Values: map[string]float64{}}
	deadline := t0.Add(*timeout)
	var ready time.Duration
	for i, a := range list(*addrs) {
		for {
			if greeted(a) {
				break
			}
			select {
			case err := <-exited:
				if err != nil {
					return nil, fmt.Errorf("%s exited before it was ready: %v", argv[0], err)
				}
				exited = nil // a launcher that put the daemon in the background
			default:
			}
			if time.Now().After(deadline) {
				return nil, fmt.Errorf("%s not ready after %v", a, *timeout)
			}
			time.Sleep(time.Millisecond)
		}
		d := time.Since(t0)
		res.Values[fmt.Sprintf("addr%d_ms", i+1)] = ms(d)
		ready = max(ready, d)
	}
	res.Values["ready_ms"] = ms(ready)
	status("%s: ready in %.1f ms", *server, ms(ready))
	return res, nil
}

// greeted reports whether a server at addr accepts a connection and sends
// a positive greeting ("+OK" or "220").
func greeted(addr string) bool {
	nc, err := net.DialTimeout("tcp", addr, 100*time.Millisecond)
	if err != nil {
		return false
	}
	defer nc.Close()
	nc.SetReadDeadline(time.Now().Add(5 * time.Second))
	buf := make([]byte, 512)
	n, _ := nc.Read(buf)
	s := string(buf[:n])
	if strings.HasPrefix(s, "220") {
		nc.Write([]byte("QUIT\r\n"))
		return true
	}
	if strings.HasPrefix(s, "+OK") {
		nc.Write([]byte("QUIT\r\n"))
		return true
	}
	return false
}
