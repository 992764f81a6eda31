//go:build !windows

package main

import (
	"bytes"
	"context"
	"fmt"
	"os/exec"
	"strconv"
	"strings"
	"time"
)

// runSource drives Postfix's smtp-source(1) — the load generator the
// Postfix project measures its own SMTP with — against a server: sessions
// concurrent sessions, messages of size octets of body to one recipient,
// a new connection for each message (smtp-source's default) or, with
// -reuse, sessions that send message after message (smtp-source -d). It
// then waits until every message is in the recipient's Maildir (when
// -maildir is given). The figures are messages per second accepted (the
// time smtp-source took) and delivered (until the last is in the
// Maildir). smtp-source is a small C program: the load costs the two cores
// that the server shares with it less than a Go client would.
func runSource(args []string) (*Result, error) {
	fs := newFlags("source")
	server := fs.String("server", "", "name of the server, for the report")
	addr := fs.String("addr", "", "SMTP address")
	rcpt := fs.String("rcpt", "", "the recipient, user@domain")
	maildir := fs.String("maildir", "", "the recipient's Maildir; empty: do not wait for delivery")
	sessions := fs.Int("sessions", 16, "concurrent sessions")
	messages := fs.Int("messages", 20000, "messages in all")
	size := fs.Int("size", 1024, "octets of body per message (smtp-source -l)")
	reuse := fs.Bool("reuse", false, "sessions that send message after message (smtp-source -d)")
	program := fs.String("program", "smtp-source", "the smtp-source program")
	timeout := fs.Duration("timeout", 10*time.Minute, "give up after")
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	if *addr == "" || !strings.Contains(*rcpt, "@") {
		return nil, fmt.Errorf("-addr and -rcpt user@domain are required")
	}
	var dirs []string
	if *maildir != "" {
		dirs = []string{*maildir}
	}
	before, err := countMaildirs(dirs)
	if err != nil {
		return nil, err
	}
	_, domain, _ := strings.Cut(*rcpt, "@")
	cmdArgs := []string{"-s", strconv.Itoa(*sessions), "-m", strconv.Itoa(*messages), "-l", strconv.Itoa(*size),
		"-M", "loadgen.lab.test", "-f", "loadgen@" + domain, "-t", *rcpt}
	if *reuse {
		cmdArgs = append(cmdArgs, "-d")
	}
	cmdArgs = append(cmdArgs, *addr)
	test := "smtp-new"
	if *reuse {
		test = "smtp"
	}
	deadline := time.Now().Add(*timeout)
	ctx, cancel := context.WithDeadline(context.Background(), deadline)
	defer cancel()
	cmd := exec.CommandContext(ctx, *program, cmdArgs...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	start := time.Now()
	if err := cmd.Run(); err != nil {
		return nil, fmt.Errorf("%s: %v: %s", *program, err, strings.TrimSpace(stderr.String()))
	}
	accepted := time.Since(start)
	res := &Result{Test: test, Server: *server, Values: map[string]float64{
		"messages":      float64(*messages),
		"sessions":      float64(*sessions),
		"accepted_rate": float64(*messages) / accepted.Seconds(),
	}}
	status("%s %s (smtp-source): %d messages accepted in %v (%.0f/s)", *server, test, *messages, accepted.Round(time.Millisecond), res.Values["accepted_rate"])
	if len(dirs) == 0 {
		return res, nil
	}
	if err := waitDelivered(res, dirs, before, *messages, start, deadline); err != nil {
		return nil, err
	}
	status("%s %s (smtp-source): %d messages in the Maildir after %v (%.0f/s)", *server, test, *messages, time.Duration(res.Values["seconds"]*float64(time.Second)).Round(time.Millisecond), res.Values["delivered_rate"])
	return res, nil
}
