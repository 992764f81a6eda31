//go:build !windows

package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"os"
	"slices"
	"strconv"
	"strings"
)

// results are the measurements of one run, by test, server and name.
type results map[string]map[string]map[string]float64

// get returns a figure, or NaN when it was not measured.
func (r results) get(test, server, name string) float64 {
	if v, ok := r[test][server][name]; ok {
		return v
	}
	return math.NaN()
}

func (r results) has(test, server string) bool { return r[test][server] != nil }

// primary is the figure by which the better of two rounds of a test is
// chosen; tests not named here keep their last round.
var primary = map[string]string{"disk": "rate", "smtp": "delivered_rate", "smtp-new": "delivered_rate", "pop3": "sessions_rate"}

// sink is the server name of Postfix's smtp-sink(1), which accepts and
// discards: its figure is messages accepted, the ceiling of a load on
// this machine when nothing is stored.
const sink = "smtp-sink"

// row is one line of the table.
type row struct {
	measure string
	// ours, before and peer format the figures of maillab, of maillab
	// before the changes (when measured), and of the other server.
	ours, before, peer string
	peerName           string
	ratio              string // ours ÷ peer, or ours ÷ the disk's limit
	target             string
	met                string // "yes", "no" or ""
}

// runReport reads result lines and prints the table of the run.
func runReport(args []string, w io.Writer) error {
	if len(args) != 1 {
		return fmt.Errorf("usage: mailload report FILE")
	}
	f, err := os.Open(args[0])
	if err != nil {
		return err
	}
	defer f.Close()
	r := results{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		var res Result
		if json.Unmarshal(sc.Bytes(), &res) != nil || res.Test == "" {
			continue
		}
		if r[res.Test] == nil {
			r[res.Test] = map[string]map[string]float64{}
		}
		// Of repeated rounds the best counts: noise on a shared machine
		// only ever slows a run down.
		key := primary[res.Test]
		if res.Server == sink {
			key = "accepted_rate"
		}
		if old, ok := r[res.Test][res.Server]; ok && old[key] > res.Values[key] {
			continue
		}
		r[res.Test][res.Server] = res.Values
	}
	if err := sc.Err(); err != nil {
		return err
	}
	printTable(w, r, tableRows(r))
	return nil
}

// tableRows computes the lines of the table from the results.
func tableRows(r results) []row {
	const us, base = "maillab", "maillab-before"
	f0 := func(v float64) string { return num(v, 0) }
	f1 := func(v float64) string { return num(v, 1) }
	pair := func(a, b float64, prec int) string {
		if math.IsNaN(a) {
			return "—"
		}
		return num(a, prec) + " / " + num(b, prec)
	}
	var rows []row
	add := func(x row) { rows = append(rows, x) }

	disk := r.get("disk", "disk", "rate")
	add(row{measure: "durable-Maildir limit of the disk, 16 writers (deliveries/s)", peerName: "disk", peer: f0(disk)})

	newOurs, newBase, newPeer := r.get("smtp-new", us, "delivered_rate"), r.get("smtp-new", base, "delivered_rate"), r.get("smtp-new", "postfix", "delivered_rate")
	newSink := r.get("smtp-new", sink, "accepted_rate")
	add(row{measure: "SMTP (smtp-source), a new connection per message: delivered/s (16 sessions, 1 KiB)", ours: f0(newOurs), before: f0(newBase), peerName: "Postfix", peer: f0(newPeer),
		ratio: times(newOurs / newPeer), target: "≥ 3.5×", met: yes(newOurs/newPeer >= 3.5)})
	add(row{measure: "SMTP, a new connection per message: delivered ÷ smtp-sink's accept rate", ours: pct(newOurs / newSink), before: pct(newBase / newSink),
		peerName: "smtp-sink", peer: f0(newSink), target: "≥ 70 %", met: yes(newOurs/newSink >= 0.7)})

	smtpOurs, smtpBase, smtpPeer := r.get("smtp", us, "delivered_rate"), r.get("smtp", base, "delivered_rate"), r.get("smtp", "postfix", "delivered_rate")
	add(row{measure: "SMTP (smtp-source -d), sessions reused: delivered/s (16 sessions, 1 KiB)", ours: f0(smtpOurs), before: f0(smtpBase), peerName: "Postfix", peer: f0(smtpPeer),
		ratio: times(smtpOurs / smtpPeer), target: "≥ 5×", met: yes(smtpOurs/smtpPeer >= 5)})
	add(row{measure: "SMTP, sessions reused: delivered ÷ durable-Maildir limit", ours: pct(smtpOurs / disk), before: pct(smtpBase / disk), peerName: "Postfix", peer: pct(smtpPeer / disk)})
	reuseSink := r.get("smtp", sink, "accepted_rate")
	add(row{measure: "SMTP, sessions reused: delivered ÷ smtp-sink's accept rate", ours: pct(smtpOurs / reuseSink), before: pct(smtpBase / reuseSink),
		peerName: "smtp-sink", peer: f0(reuseSink)})

	popS, popSB, popSP := r.get("pop3", us, "sessions_rate"), r.get("pop3", base, "sessions_rate"), r.get("pop3", "dovecot", "sessions_rate")
	add(row{measure: "POP3: sessions/s (16 clients; APOP, STAT, LIST, 100 × RETR 10 KiB, QUIT)", ours: f1(popS), before: f1(popSB), peerName: "Dovecot", peer: f1(popSP),
		ratio: times(popS / popSP), target: "≥ 2×", met: yes(popS/popSP >= 2)})
	popM, popMB, popMP := r.get("pop3", us, "mb_rate"), r.get("pop3", base, "mb_rate"), r.get("pop3", "dovecot", "mb_rate")
	add(row{measure: "POP3: MB/s of messages retrieved", ours: f1(popM), before: f1(popMB), peerName: "Dovecot", peer: f1(popMP),
		ratio: times(popM / popMP), target: "≥ 2×", met: yes(popM/popMP >= 2)})
	add(row{measure: "POP3: session latency p50 / p99 (ms)",
		ours:     pair(r.get("pop3", us, "p50_ms"), r.get("pop3", us, "p99_ms"), 1),
		before:   pair(r.get("pop3", base, "p50_ms"), r.get("pop3", base, "p99_ms"), 1),
		peerName: "Dovecot", peer: pair(r.get("pop3", "dovecot", "p50_ms"), r.get("pop3", "dovecot", "p99_ms"), 1)})

	add(row{measure: "memory idle, RSS (MiB; peers: PSS summed over their processes)", ours: f1(r.get("mem", us, "rss_mib")), before: f1(r.get("mem", base, "rss_mib")),
		peerName: "Dovecot / Postfix", peer: f1(r.get("mem", "dovecot", "pss_mib")) + " / " + f1(r.get("mem", "postfix", "pss_mib"))})
	idle := func(server string) string {
		if !r.has("idle", server) {
			return "—"
		}
		s := f1(r.get("idle", server, "rss_mib"))
		if held, conns := r.get("idle", server, "held"), r.get("idle", server, "conns"); held < conns {
			s += fmt.Sprintf(" (%s held; at %s: %s)", f0(held), f0(conns), f1(r.get("idle", server, "rss_at_conns_mib")))
		}
		return s
	}
	idleOurs := r.get("idle", us, "rss_mib")
	if held, conns := r.get("idle", us, "held"), r.get("idle", us, "conns"); held < conns {
		idleOurs = r.get("idle", us, "rss_at_conns_mib")
	}
	idlePeer := "—"
	if r.has("idle", "dovecot") {
		idlePeer = f1(r.get("idle", "dovecot", "pss_mib")) + " PSS, " + f1(r.get("idle", "dovecot", "rss_mib")) + " RSS"
	}
	add(row{measure: "memory with 1,000 idle POP3 connections, RSS (MiB)", ours: idle(us), before: idle(base), peerName: "Dovecot", peer: idlePeer,
		target: "< 64 MiB", met: yes(idleOurs < 64)})

	for _, s := range []struct{ name, key, target string }{
		{"APOP + STAT, 10,000 messages, cold (ms)", "cold_login_stat_ms", ""},
		{"APOP + STAT, 10,000 messages, warm (ms)", "warm_login_stat_ms", "< 20 ms"},
		{"STAT alone, 10,000 messages, warm (ms)", "warm_stat_ms", ""},
		{"LIST, 10,000 messages, cold (ms)", "cold_list_ms", ""},
		{"LIST, 10,000 messages, warm (ms)", "warm_list_ms", ""},
	} {
		o, p := r.get("stat", us, s.key), r.get("stat", "dovecot", s.key)
		x := row{measure: s.name, ours: f1(o), before: f1(r.get("stat", base, s.key)), peerName: "Dovecot", peer: f1(p),
			ratio: times(p / o), target: s.target}
		if s.target != "" {
			x.met = yes(o < 20)
		}
		rows = append(rows, x)
	}
	o := r.get("start", us, "ready_ms")
	add(row{measure: "start-up to first greeting (ms)", ours: f1(o), before: f1(r.get("start", base, "ready_ms")),
		peerName: "Dovecot / Postfix", peer: f1(r.get("start", "dovecot", "ready_ms")) + " / " + f1(r.get("start", "postfix", "ready_ms")),
		target: "< 100 ms", met: yes(o < 100)})
	rows = append(rows, historyRows(r, us, base)...)
	return rows
}

// historyRows are the lines of the history and flood measurements, when
// they were made.
func historyRows(r results, us, base string) []row {
	var rows []row
	if r.has("history", us) {
		at := checkpoints(r, us)
		for _, n := range at {
			k := strconv.Itoa(n)
			rows = append(rows, row{measure: fmt.Sprintf("history: a USER/PASS/STAT/QUIT session after %d sessions, mean / p50 (ms)", n),
				ours:   num(r.get("history", us, "ms_"+k), 2) + " / " + num(r.get("history", us, "p50_ms_"+k), 2),
				before: num(r.get("history", base, "ms_"+k), 2) + " / " + num(r.get("history", base, "p50_ms_"+k), 2)})
			rss := r.get("history", us, "rss_mib_"+k)
			x := row{measure: fmt.Sprintf("history: RSS after %d sessions (MiB)", n), ours: num(rss, 1), before: num(r.get("history", base, "rss_mib_"+k), 1)}
			if n >= 100000 {
				x.target, x.met = "< 64 MiB", yes(rss < 64)
			}
			rows = append(rows, x)
		}
		if len(at) > 1 {
			k := strconv.Itoa(at[len(at)-1])
			ratio := r.get("history", us, "cost_ratio_"+k)
			before := times(r.get("history", base, "cost_ratio_"+k))
			if b := checkpoints(r, base); len(b) > 1 && b[len(b)-1] != at[len(at)-1] {
				// the code before may not have got as far
				last := b[len(b)-1]
				before = fmt.Sprintf("%s (after %d)", times(r.get("history", base, "cost_ratio_"+strconv.Itoa(last))), last)
			}
			rows = append(rows, row{measure: fmt.Sprintf("history: cost after %d ÷ after %d sessions", at[len(at)-1], at[0]),
				ours: times(ratio), before: before, target: "≤ 1.2×", met: yes(ratio <= 1.2)})
		}
	}
	if r.has("flood", us) {
		secs := num(r.get("flood", us, "seconds"), 0)
		g, m, p := r.get("flood", us, "folder_growth_mib"), r.get("flood", us, "rss_growth_mib"), r.get("flood", us, "probe_max_ms")
		rows = append(rows,
			row{measure: "NOOP flood of " + secs + " s, one client: the group's folder grew by (MiB, mail aside)", ours: num(g, 2),
				before: num(r.get("flood", base, "folder_growth_mib"), 2), target: "< 2 MiB", met: yes(g < 2)},
			row{measure: "NOOP flood: RSS grew by (MiB)", ours: num(m, 1), before: num(r.get("flood", base, "rss_growth_mib"), 1), target: "< 32 MiB", met: yes(m < 32)},
			row{measure: "NOOP flood: another client's slowest session (ms)", ours: num(p, 0), before: num(r.get("flood", base, "probe_max_ms"), 0), target: "< 2000 ms", met: yes(p < 2000)})
	}
	return rows
}

// checkpoints returns the numbers of sessions at which the history of
// server was measured, in order.
func checkpoints(r results, server string) []int {
	var at []int
	for k := range r["history"][server] {
		if n, err := strconv.Atoi(strings.TrimPrefix(k, "ms_")); err == nil && strings.HasPrefix(k, "ms_") {
			at = append(at, n)
		}
	}
	slices.Sort(at)
	return at
}

// printTable writes the rows as a Markdown table; the column of maillab
// before the changes only when it was measured.
func printTable(w io.Writer, r results, rows []row) {
	withBefore := false
	for _, test := range r {
		if test["maillab-before"] != nil {
			withBefore = true
		}
	}
	head := []string{"measure", "maillab"}
	if withBefore {
		head = append(head, "maillab before")
	}
	head = append(head, "peer", "peer's figure", "maillab ÷ peer (for times: peer ÷ maillab)", "target", "met")
	fmt.Fprintln(w, "| "+strings.Join(head, " | ")+" |")
	fmt.Fprintln(w, "|"+strings.Repeat("---|", len(head)))
	for _, x := range rows {
		cells := []string{x.measure, dash(x.ours)}
		if withBefore {
			cells = append(cells, dash(x.before))
		}
		cells = append(cells, x.peerName, dash(x.peer), dash(x.ratio), dash(x.target), dash(x.met))
		fmt.Fprintln(w, "| "+strings.Join(cells, " | ")+" |")
	}
}

func num(v float64, prec int) string {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return "—"
	}
	return fmt.Sprintf("%.*f", prec, v)
}

func times(v float64) string {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return ""
	}
	return fmt.Sprintf("%.2f×", v)
}

func pct(v float64) string {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return ""
	}
	return fmt.Sprintf("%.0f %%", 100*v)
}

func yes(ok bool) string {
	if ok {
		return "yes"
	}
	return "no"
}

func dash(s string) string {
	if s == "" || s == "—" {
		return "—"
	}
	return s
}
