//go:build !windows

package main

import (
	"bufio"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// runFlood floods a POP3 server with NOOP commands from one client for
// -seconds, pipelined as fast as the connection takes them (reconnecting,
// with -reconnect, when the server hangs up), while another client runs a
// USER/PASS/STAT/QUIT session every half second. It reports how much the
// group's folder (mail aside) and the server's RSS grew, how many NOOPs
// were answered, how the flood ended, and the slowest session of the
// other client.
func runFlood(args []string) (*Result, error) {
	fs := newFlags("flood")
	server := fs.String("server", "", "name of the server, for the report")
	addr := fs.String("addr", "", "POP3 address")
	user := fs.String("user", "", "the user who floods")
	probeUser := fs.String("probe-user", "", "the user of the other client")
	password := fs.String("password", "", "the users' password")
	pid := fs.Int("pid", 0, "the server's process, for its RSS")
	data := fs.String("data", "", "the group's data folder")
	seconds := fs.Int("seconds", 60, "how long the flood lasts")
	reconnect := fs.Bool("reconnect", false, "connect again when the server hangs up")
	probeFrom := fs.String("probe-from", "", "local address of the other client (another machine of the class: 127.0.0.2)")
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	if *addr == "" || *user == "" || *probeUser == "" || *pid == 0 || *data == "" {
		return nil, fmt.Errorf("-addr, -user, -probe-user, -pid and -data are required")
	}
	folder0, err := folderBytes(*data)
	if err != nil {
		return nil, err
	}
	mem0, err := treeMemory(*pid)
	if err != nil {
		return nil, err
	}
	end := time.Now().Add(time.Duration(*seconds) * time.Second)
	var (
		answered, connections atomic.Int64
		lastReply             atomic.Value
		wg                    sync.WaitGroup
	)
	lastReply.Store("")
	wg.Add(1)
	go func() { // the flood
		defer wg.Done()
		for time.Now().Before(end) {
			connections.Add(1)
			n, last := floodOnce(*addr, *user, *password, end)
			answered.Add(n)
			lastReply.Store(last)
			if !*reconnect {
				return
			}
		}
	}()
	var slowest time.Duration
	var probes, failed int
	var firstFailure string
	for time.Now().Before(end) {
		t := time.Now()
		if err := quickSessionFrom(*addr, *probeFrom, *probeUser, *password, end.Add(time.Minute)); err != nil {
			if failed == 0 {
				firstFailure = err.Error()
			}
			failed++
		}
		slowest = max(slowest, time.Since(t))
		probes++
		time.Sleep(500 * time.Millisecond)
	}
	wg.Wait()
	time.Sleep(time.Second) // the server writes the sessions' ends
	folder1, err := folderBytes(*data)
	if err != nil {
		return nil, err
	}
	mem1, err := treeMemory(*pid)
	if err != nil {
		return nil, err
	}
	res := &Result{Test: "flood", Server: *server, Values: map[string]float64{
		"seconds":           float64(*seconds),
		"noops_answered":    float64(answered.Load()),
		"connections":       float64(connections.Load()),
		"folder_growth_mib": float64(folder1-folder0) / (1 << 20),
		"rss_growth_mib":    mem1.rss - mem0.rss,
		"probe_max_ms":      ms(slowest),
		"probe_sessions":    float64(probes),
		"probe_failed":      float64(failed),
	}, Notes: []string{"the flood's last reply: " + lastReply.Load().(string)}}
	if failed > 0 {
		res.Notes = append(res.Notes, "the other client's first failure: "+firstFailure)
	}
	status("%s flood: %d s, %d NOOPs answered over %d connection(s) (last reply %q); folder +%.2f MiB, RSS +%.1f MiB; other client: %d sessions, slowest %.1f ms, %d failed",
		*server, *seconds, answered.Load(), connections.Load(), lastReply.Load(), res.Values["folder_growth_mib"], res.Values["rss_growth_mib"],
		probes, ms(slowest), failed)
	return res, nil
}

// floodOnce logs in and sends NOOPs until the server hangs up or end
// comes; it returns the NOOPs answered and the last line the server sent.
func floodOnce(addr, user, password string, end time.Time) (int64, string) {
	c, err := dialPOP3(addr, end)
	if err != nil {
		return 0, err.Error()
	}
	defer c.nc.Close()
	c.nc.SetDeadline(end.Add(10 * time.Second))
	if _, err := c.cmd("USER " + user); err != nil {
		return 0, err.Error()
	}
	if _, err := c.cmd("PASS " + password); err != nil {
		return 0, err.Error()
	}
	go func() {
		w := bufio.NewWriterSize(c.nc, 64<<10)
		for time.Now().Before(end) {
			for range 1000 {
				w.WriteString("NOOP\r\n")
			}
			if w.Flush() != nil {
				return
			}
		}
		c.nc.SetReadDeadline(time.Now().Add(2 * time.Second))
	}()
	var n int64
	var last string
	for {
		line, err := c.r.ReadString('\n')
		if err != nil {
			return n, last
		}
		last = strings.TrimRight(line, "\r\n")
		if strings.HasPrefix(last, "+OK") {
			n++
		}
	}
}
