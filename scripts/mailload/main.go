//go:build !windows

// Command mailload is the load generator and measuring tool of
// scripts/bench-peers: it drives the same SMTP and POP3 load against maillab,
// Postfix and Dovecot, measures the disk's durable-Maildir limit, the
// servers' memory, start-up time and listing latency, and prints the table
// that compares them.
//
// Every measuring subcommand prints one JSON result line on stdout (status
// goes to stderr); "mailload report FILE" turns a file of such lines into the
// table.
//
//	mailload disk   -dir DIR [-writers 16] [-messages 20000] [-size 1024]
//	mailload smtp   -server NAME -addr HOST:PORT -domain D -users u1,u2… -maildir 'PATH/{user}' [-sessions 16] [-messages 20000] [-size 1024]
//	mailload source -server NAME -addr HOST:PORT -rcpt USER@DOMAIN [-maildir DIR] [-sessions 16] [-messages 20000] [-size 1024] [-reuse]
//	mailload pop3   -server NAME -addr HOST:PORT -users u1,u2… -password PW [-clients 16] [-sessions 320] [-expect 100]
//	mailload stat   -server NAME -addr HOST:PORT -user U -password PW [-expect 10000] [-repeat 21]
//	mailload idle   -server NAME -addr HOST:PORT -pid PID [-conns 1000] [-sources 10]
//	mailload mem    -server NAME -pid PID
//	mailload history -server NAME -addr HOST:PORT -user U -password PW -pid PID [-data DIR] [-at 1000,10000,100000] [-window 1000]
//	mailload flood  -server NAME -addr HOST:PORT -user U -probe-user V -password PW -pid PID -data DIR [-seconds 60] [-reconnect] [-probe-from IP]
//	mailload start  -server NAME -addrs A,B [-pidfile F] [-log F] -- COMMAND ARGS…
//	mailload report FILE
//
// Nothing here asserts a timing: the figures are for a person to read as
// ratios within one run.
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"syscall"
	"time"
)

// Result is one measurement: which test, against which server, and its
// figures by name.
type Result struct {
	Test   string             `json:"test"`
	Server string             `json:"server"`
	Values map[string]float64 `json:"values"`
	Notes  []string           `json:"notes,omitempty"`
}

func main() {
	if len(os.Args) < 2 {
		usage(os.Stderr)
		os.Exit(2)
	}
	raiseFileLimit()
	var (
		res *Result
		err error
	)
	args := os.Args[2:]
	switch os.Args[1] {
	case "disk":
		res, err = runDisk(args)
	case "smtp":
		res, err = runSMTP(args)
	case "source":
		res, err = runSource(args)
	case "pop3":
		res, err = runPOP3(args)
	case "stat":
		res, err = runStat(args)
	case "idle":
		res, err = runIdle(args)
	case "mem":
		res, err = runMem(args)
	case "start":
		res, err = runStart(args)
	case "history":
		res, err = runHistory(args)
	case "flood":
		res, err = runFlood(args)
	case "report":
		err = runReport(args, os.Stdout)
	case "help", "-h", "--help":
		usage(os.Stdout)
		return
	default:
		usage(os.Stderr)
		os.Exit(2)
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "mailload %s: %v\n", os.Args[1], err)
		os.Exit(1)
	}
	if res != nil {
		b, _ := json.Marshal(res)
		fmt.Println(string(b))
	}
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "usage: mailload disk|smtp|source|pop3|stat|idle|mem|start|history|flood|report [flags] (see the package comment)")
}

// newFlags returns a flag set for a subcommand whose errors are returned,
// not fatal.
func newFlags(name string) *flag.FlagSet {
	fs := flag.NewFlagSet("mailload "+name, flag.ContinueOnError)
	fs.SetOutput(os.Stderr)
	return fs
}

// list splits a comma-separated flag value.
func list(s string) []string {
	var out []string
	for _, f := range strings.Split(s, ",") {
		if f = strings.TrimSpace(f); f != "" {
			out = append(out, f)
		}
	}
	return out
}

// raiseFileLimit lifts the soft limit of open files to the hard one: the
// idle test holds a thousand connections.
func raiseFileLimit() {
	var l syscall.Rlimit
	if syscall.Getrlimit(syscall.RLIMIT_NOFILE, &l) == nil && l.Cur < l.Max {
		l.Cur = l.Max
		syscall.Setrlimit(syscall.RLIMIT_NOFILE, &l)
	}
}

// ms is a duration in milliseconds, as a float.
func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// status writes a progress line to stderr.
func status(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "  "+format+"\n", args...)
}
