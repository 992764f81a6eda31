package group_test

import (
	"bufio"
	"context"
	"fmt"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"maillab/server/classroom"
	"maillab/server/group"
	"maillab/server/journal"
)

// class is a classroom of group servers in one process, each on its own
// loopback address 127.0.1.N with ports of the test's own.
type class struct {
	t       *testing.T
	c       *classroom.Classroom
	root    string
	servers map[int]*group.Server
	data    map[int]*group.Data
	relay   group.RelayOptions
}

// freePort finds a port free on every host of the class.
func freePort(t *testing.T, hosts []string) int {
	t.Helper()
	for try := 0; try < 50; try++ {
		l, err := net.Listen("tcp", hosts[0]+":0")
		if err != nil {
			t.Fatal(err)
		}
		port := l.Addr().(*net.TCPAddr).Port
		l.Close()
		ok := true
		for _, h := range hosts[1:] {
			l2, err := net.Listen("tcp", fmt.Sprintf("%s:%d", h, port))
			if err != nil {
				ok = false
				break
			}
			l2.Close()
		}
		if ok {
			return port
		}
	}
	t.Fatal("no free port")
	return 0
}

func newClass(t *testing.T, groups int) *class {
	t.Helper()
	var hosts []string
	for i := 1; i <= groups; i++ {
		hosts = append(hosts, fmt.Sprintf("127.0.1.%d", i))
	}
	smtp, pop3, web := freePort(t, hosts), freePort(t, hosts), freePort(t, hosts)
	for pop3 == smtp {
		pop3 = freePort(t, hosts) // a closed port may come back at once
	}
	for web == smtp || web == pop3 {
		web = freePort(t, hosts)
	}
	var b strings.Builder
	b.WriteString("domain = \"lab.test\"\nclusters = [[")
	for i := 1; i <= groups; i++ {
		if i > 1 {
			b.WriteString(", ")
		}
		fmt.Fprint(&b, i)
	}
	b.WriteString("]]\n")
	for i := 1; i <= groups; i++ {
		fmt.Fprintf(&b, "[[groups]]\nid = %d\nhost = \"127.0.1.%d\"\nsmtp = %d\npop3 = %d\nweb = %d\n", i, i, smtp, pop3, web)
	}
	c, err := classroom.Parse("test-classroom", []byte(b.String()))
	if err != nil {
		t.Fatal(err)
	}
	return &class{t: t, c: c, root: t.TempDir(), servers: map[int]*group.Server{}, data: map[int]*group.Data{},
		relay: group.RelayOptions{MinRetry: 50 * time.Millisecond, MaxRetry: 200 * time.Millisecond}}
}

// start runs group n's server with accounts yom (tanstaaf) and alice
// (wonderland).
func (cl *class) start(n int) *group.Server {
	t := cl.t
	t.Helper()
	data, err := group.OpenData(cl.root, n, cl.c.GroupDomain(n))
	if err != nil {
		t.Fatal(err)
	}
	g, _ := cl.c.Group(n)
	srv, err := group.New(group.Config{Data: data, SMTPAddr: g.SMTPAddr(), POP3Addr: g.POP3Addr(), Classroom: cl.c, Relay: cl.relay})
	if err != nil {
		t.Fatal(err)
	}
	for _, u := range []struct{ name, pw string }{{"yom", "tanstaaf"}, {"alice", "wonderland"}} {
		if _, err := data.Accounts.Lookup(u.name); err != nil {
			if err := data.AddUser(u.name, u.pw, srv.Journal()); err != nil {
				t.Fatal(err)
			}
		}
	}
	if err := srv.Start(); err != nil {
		t.Fatal(err)
	}
	cl.servers[n], cl.data[n] = srv, data
	t.Cleanup(func() { cl.stop(n) })
	return srv
}

func (cl *class) stop(n int) {
	if srv := cl.servers[n]; srv != nil {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		srv.Shutdown(ctx)
		delete(cl.servers, n)
	}
}

// send hands a message to group n's SMTP server from the address from and
// returns the reply to each command.
func (cl *class) send(n int, from string, lines ...string) []string {
	t := cl.t
	t.Helper()
	g, _ := cl.c.Group(n)
	d := net.Dialer{Timeout: 5 * time.Second, LocalAddr: &net.TCPAddr{IP: net.ParseIP(from)}}
	c, err := d.Dial("tcp", g.SMTPAddr())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(20 * time.Second))
	r := bufio.NewReader(c)
	readLine(t, r)
	var replies []string
	for _, l := range lines {
		replies = append(replies, say(t, c, r, l))
	}
	return replies
}

// waitMailbox waits until user of group n has want messages.
func (cl *class) waitMailbox(n int, user string, want int) []string {
	cl.t.Helper()
	var msgs []string
	deadline := time.Now().Add(15 * time.Second)
	for time.Now().Before(deadline) {
		if msgs = mailbox(cl.t, cl.data[n], user); len(msgs) >= want {
			return msgs
		}
		time.Sleep(20 * time.Millisecond)
	}
	cl.t.Fatalf("group %d's %s has %d messages, want %d", n, user, len(msgs), want)
	return nil
}

func events(t *testing.T, d *group.Data, kind string) []journal.Event {
	t.Helper()
	all, err := journal.ReadFile(d.JournalPath())
	if err != nil {
		t.Fatal(err)
	}
	var out []journal.Event
	for _, e := range all {
		if e.Kind == kind {
			out = append(out, e)
		}
	}
	return out
}

func TestRelayBetweenGroups(t *testing.T) {
	t.Parallel()
	cl := newClass(t, 3)
	for n := 1; n <= 3; n++ {
		cl.start(n)
	}
	replies := cl.send(1, "127.0.1.1", "EHLO pc01", "MAIL FROM:<alice@g1.lab.test>", "RCPT TO:<yom@g2.lab.test>", "RCPT TO:<alice@g1.lab.test>", "DATA",
		"From: alice@g1.lab.test\r\nTo: yom@g2.lab.test\r\nSubject: across\r\n\r\nhello group 2\r\n.", "QUIT")
	if !strings.HasPrefix(replies[5], "250 2.0.0 Ok: queued as ") {
		t.Fatalf("replies: %q", replies)
	}
	got := cl.waitMailbox(2, "yom", 2)[1]
	// one Received line per hop: g1 accepted it, then g2
	if n := strings.Count(got, "\nReceived: "); n != 2 {
		t.Errorf("%d Received fields, want 2:\n%s", n, got)
	}
	for _, want := range []string{
		"Return-Path: <alice@g1.lab.test>\n", "Delivered-To: yom@g2.lab.test\n",
		"\nReceived: from g1.lab.test ([127.0.1.1])\n\tby g2.lab.test (maillab) with ESMTP",
		"\nReceived: from pc01 ([127.0.1.1])\n\tby g1.lab.test (maillab) with ESMTP",
		"\n\nhello group 2\n",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("relayed message lacks %q:\n%s", want, got)
		}
	}
	// the local copy went straight to alice
	cl.waitMailbox(1, "alice", 2)
	// the evidence on both sides
	waitFor(t, func() bool { return len(events(t, cl.data[1], journal.Relayed)) > 0 })
	rel := events(t, cl.data[1], journal.Relayed)[0]
	if rel.Result != journal.ResultOK || rel.DestGroup != 2 || rel.Rcpt[0] != "yom@g2.lab.test" {
		t.Errorf("g1 relayed event %+v", rel)
	}
	var fromG1 bool
	for _, e := range events(t, cl.data[2], journal.Open) {
		fromG1 = fromG1 || (e.Proto == "smtp" && e.ClientGroup == 1)
	}
	if !fromG1 {
		t.Error("g2's journal has no SMTP session from group 1's host")
	}
	if q, _ := cl.servers[1].Queue().List(); len(q) != 0 {
		t.Errorf("queue not empty after delivery: %+v", q)
	}
}

// Students may hand mail straight to a peer's server, MTA to MTA.
func TestMailStraightToPeer(t *testing.T) {
	t.Parallel()
	cl := newClass(t, 2)
	cl.start(1)
	cl.start(2)
	replies := cl.send(2, "127.0.1.1", "HELO pc01", "MAIL FROM:<alice@g1.lab.test>", "RCPT TO:<yom@g2.lab.test>", "DATA", "Subject: by hand\r\n\r\ntyped\r\n.", "QUIT")
	if !strings.HasPrefix(replies[4], "250 ") {
		t.Fatalf("replies %q", replies)
	}
	if got := cl.waitMailbox(2, "yom", 2)[1]; !strings.Contains(got, "Subject: by hand") {
		t.Errorf("got:\n%s", got)
	}
}

func TestRelayWaitsForAPeerThatIsDown(t *testing.T) {
	t.Parallel()
	cl := newClass(t, 2)
	cl.start(1)
	replies := cl.send(1, "127.0.1.1", "HELO pc01", "MAIL FROM:<alice@g1.lab.test>", "RCPT TO:<yom@g2.lab.test>", "DATA", "Subject: wait for me\r\n\r\nx\r\n.", "QUIT")
	if !strings.HasPrefix(replies[4], "250 ") {
		t.Fatalf("replies %q", replies)
	}
	waitFor(t, func() bool {
		for _, e := range events(t, cl.data[1], journal.Relayed) {
			if e.Result == journal.ResultDeferred && strings.Contains(e.Error, "cannot connect to group 2's server") {
				return true
			}
		}
		return false
	})
	q, _ := cl.servers[1].Queue().List()
	if len(q) != 1 || q[0].Attempts < 1 || q[0].LastError == "" {
		t.Fatalf("queue while group 2 is down: %+v", q)
	}
	// the queue survives a restart of group 1 …
	cl.stop(1)
	cl.start(1)
	// … and group 2 comes up: delivered, once
	cl.start(2)
	cl.waitMailbox(2, "yom", 2)
	// the relay is done with the message: handed over and out of the
	// queue, so no second copy can be on its way
	waitFor(t, func() bool {
		for _, e := range events(t, cl.data[1], journal.Relayed) {
			if e.Result == journal.ResultOK {
				q, _ := cl.servers[1].Queue().List()
				return len(q) == 0
			}
		}
		return false
	})
	if msgs := mailbox(t, cl.data[2], "yom"); len(msgs) != 2 || !strings.Contains(msgs[1], "Subject: wait for me") {
		t.Errorf("group 2's yom has %d messages", len(msgs))
	}
}

func TestRelayUnknownUserBounces(t *testing.T) {
	t.Parallel()
	cl := newClass(t, 2)
	cl.start(1)
	cl.start(2)
	replies := cl.send(1, "127.0.1.1", "HELO pc01", "MAIL FROM:<alice@g1.lab.test>", "RCPT TO:<nobody@g2.lab.test>", "DATA",
		"Message-ID: <lost@g1.lab.test>\r\nSubject: to nobody\r\n\r\nx\r\n.", "QUIT")
	if !strings.HasPrefix(replies[4], "250 ") {
		t.Fatalf("replies %q", replies)
	}
	bounce := cl.waitMailbox(1, "alice", 2)[1]
	for _, want := range []string{
		"Return-Path: <>\n", "From: Mail Delivery System <MAILER-DAEMON@g1.lab.test>\n", "X-Maillab-Origin: bounce\n",
		"Content-Type: multipart/report; report-type=delivery-status;",
		"Final-Recipient: rfc822; nobody@g2.lab.test\n", "Action: failed\n", "Status: 5.1.1\n",
		"Diagnostic-Code: smtp; 550 5.1.1 <nobody@g2.lab.test>: Recipient address rejected",
		"Content-Type: text/rfc822-headers\n", "Message-ID: <lost@g1.lab.test>\nSubject: to nobody\n",
		"次の宛先には配送できませんでした", "could not be delivered to:",
	} {
		if !strings.Contains(bounce, want) {
			t.Errorf("bounce lacks %q:\n%s", want, bounce)
		}
	}
	// the bounce is in the mailbox a moment before its event is recorded
	// and the entry leaves the queue
	waitFor(t, func() bool {
		q, _ := cl.servers[1].Queue().List()
		return len(events(t, cl.data[1], journal.Bounced)) > 0 && len(q) == 0
	})
	b := events(t, cl.data[1], journal.Bounced)
	if len(b) != 1 || b[0].Result != journal.ResultOK || b[0].User != "alice" {
		t.Errorf("bounced events %+v", b)
	}
}

func TestRelayRefused(t *testing.T) {
	t.Parallel()
	cl := newClass(t, 2)
	cl.start(1)
	cl.start(2)
	tests := []struct {
		from, rcpt, want string
	}{
		{"127.0.1.1", "x@outside.example", "554 5.7.1 <x@outside.example>: Relay access denied"},
		{"127.0.1.1", "yom@g9.lab.test", "554 5.7.1 <yom@g9.lab.test>: Relay access denied"},
		{"127.0.0.9", "yom@g2.lab.test", "554 5.7.1 <yom@g2.lab.test>: Relay access denied"}, // not a classroom host
		{"127.0.0.9", "postmaster@g2.lab.test", "250 2.1.5 Ok"},                              // but every postmaster is reachable
		{"127.0.0.9", "postmaster@outside.example", "554 5.7.1 <postmaster@outside.example>: Relay access denied"},
		{"127.0.1.2", "yom@g2.lab.test", "250 2.1.5 Ok"}, // group 2's host may
		{"127.0.1.1", "nobody@g1.lab.test", "550 5.1.1 <nobody@g1.lab.test>: Recipient address rejected: User unknown in local recipient table"},
	}
	for _, tt := range tests {
		replies := cl.send(1, tt.from, "HELO x", "MAIL FROM:<a@b.example>", "RCPT TO:<"+tt.rcpt+">", "QUIT")
		if replies[2] != tt.want {
			t.Errorf("from %s RCPT %s: %q, want %q", tt.from, tt.rcpt, replies[2], tt.want)
		}
	}
}

func TestTooManyHops(t *testing.T) {
	t.Parallel()
	cl := newClass(t, 1)
	cl.start(1)
	loop := strings.Repeat("Received: from a by b; Mon, 1 Jan 2024 00:00:00 +0000\r\n", group.MaxHops) + "Subject: loop\r\n\r\nx\r\n."
	replies := cl.send(1, "127.0.1.1", "HELO x", "MAIL FROM:<a@b.example>", "RCPT TO:<yom@g1.lab.test>", "DATA", loop, "QUIT")
	if !strings.HasPrefix(replies[4], "554 5.4.6 Too many hops") {
		t.Errorf("a message with %d Received fields: %q", group.MaxHops, replies[4])
	}
}

// A relay that died after the peer's 250 sends the message again; the peer
// knows it by its relay id and keeps one copy — also across a restart.
func TestRelayRetryAfterACrashIsDeliveredOnce(t *testing.T) {
	t.Parallel()
	cl := newClass(t, 2)
	cl.start(1)
	cl.start(2)
	msg := "X-Maillab-Relay-ID: g1.lab.test/ABC.g2\r\nSubject: once\r\n\r\nx\r\n."
	send := func() string {
		r := cl.send(2, "127.0.1.1", "EHLO g1.lab.test", "MAIL FROM:<alice@g1.lab.test>", "RCPT TO:<yom@g2.lab.test>", "DATA", msg, "QUIT")
		return r[4]
	}
	for i := 0; i < 2; i++ {
		if got := send(); !strings.HasPrefix(got, "250 2.0.0") {
			t.Fatalf("send %d: %q", i, got)
		}
	}
	cl.stop(2)
	cl.start(2)
	if got := send(); !strings.HasPrefix(got, "250 2.0.0") {
		t.Fatalf("after restart: %q", got)
	}
	if msgs := mailbox(t, cl.data[2], "yom"); len(msgs) != 2 {
		t.Errorf("yom has %d messages, want the welcome and one copy", len(msgs))
	}
	var dup int
	for _, e := range events(t, cl.data[2], journal.Accepted) {
		if e.Reason == "duplicate-relay" {
			dup++
		}
	}
	if dup != 2 {
		t.Errorf("%d duplicates in the journal, want 2", dup)
	}
	// from an address that is no group's host, the id means nothing
	r := cl.send(2, "127.0.1.2", "EHLO x", "MAIL FROM:<a@g2.lab.test>", "RCPT TO:<yom@g2.lab.test>", "DATA", msg, "QUIT")
	if !strings.HasPrefix(r[4], "250") || len(mailbox(t, cl.data[2], "yom")) != 3 {
		t.Errorf("a message from group 2's own host with a used relay id was not delivered")
	}
}

// The instructor's probe goes through a group's server to another group's
// postmaster, from a machine that is no group's host, and both journals
// mark it as a probe, which never counts toward an exercise.
func TestProbeToAnotherGroupsPostmaster(t *testing.T) {
	t.Parallel()
	cl := newClass(t, 2)
	cl.start(1)
	cl.start(2)
	r := cl.send(1, "127.0.0.9", "EHLO instructor", "MAIL FROM:<probe@instructor.lab.test>", "RCPT TO:<postmaster@g2.lab.test>", "DATA",
		"X-Maillab-Origin: probe\r\nSubject: probe g1 -> g2\r\n\r\nprobe\r\n.", "QUIT")
	if !strings.HasPrefix(r[4], "250 ") {
		t.Fatalf("replies %q", r)
	}
	cl.waitMailbox(2, group.Postmaster, 1)
	waitFor(t, func() bool { return len(events(t, cl.data[2], journal.Delivered)) > 2 })
	var origins []string
	for _, e := range events(t, cl.data[2], journal.Delivered) {
		if e.User == group.Postmaster {
			origins = append(origins, e.Origin)
		}
	}
	q := events(t, cl.data[1], journal.Queued)
	if len(origins) != 1 || origins[0] != journal.OriginProbe || len(q) != 1 || q[0].Origin != journal.OriginProbe {
		t.Errorf("probe origins at g2 %v, queued at g1 %+v", origins, q)
	}
}

// A relay id counts only when the relay of the client's group sent it
// (HELO with the group's domain): a student on group 1's machine who copies
// one into a message of their own still gets it delivered, every time.
func TestForgedRelayIDIsNoDuplicate(t *testing.T) {
	t.Parallel()
	cl := newClass(t, 2)
	cl.start(2)
	msg := "X-Maillab-Relay-ID: g1.lab.test/FORGED.g2\r\nSubject: mine\r\n\r\nx\r\n."
	for i := 0; i < 2; i++ {
		r := cl.send(2, "127.0.1.1", "EHLO pc01", "MAIL FROM:<alice@g1.lab.test>", "RCPT TO:<yom@g2.lab.test>", "DATA", msg, "QUIT")
		if !strings.HasPrefix(r[4], "250 2.0.0") {
			t.Fatalf("send %d: %q", i, r)
		}
	}
	msgs := mailbox(t, cl.data[2], "yom")
	if len(msgs) != 3 {
		t.Errorf("yom has %d messages, want the welcome and two", len(msgs))
	}
	for _, m := range msgs { // the forged id is taken out of the header
		if strings.Contains(strings.ToLower(m), "x-maillab-relay-id") || !strings.Contains(m, "Subject: ") {
			t.Errorf("a delivered copy:\n%s", m)
		}
	}
	for _, e := range events(t, cl.data[2], journal.Accepted) {
		if e.Reason == "duplicate-relay" {
			t.Errorf("taken for a duplicate: %+v", e)
		}
	}
}

// A message that loops (too many hops at the peer) comes back to its
// sender as a bounce; a bounce that cannot be delivered either goes to the
// postmaster: nothing is dropped. A message an outsider sent through the
// postmaster exception gets no bounce: its sender is unproven.
func TestLoopIsBouncedNeverDropped(t *testing.T) {
	t.Parallel()
	cl := newClass(t, 2)
	cl.start(1)
	cl.start(2)
	hops := strings.Repeat("Received: from a by b; Mon, 1 Jan 2024 00:00:00 +0000\r\n", group.MaxHops-1)
	tests := []struct {
		from, sender, rcpt string
	}{
		{"127.0.1.1", "alice@g1.lab.test", "yom@g2.lab.test"},
		{"127.0.1.1", "", "yom@g2.lab.test"},
		{"127.0.0.9", "alice@g1.lab.test", "postmaster@g2.lab.test"},
	}
	for _, tt := range tests {
		r := cl.send(1, tt.from, "HELO x", "MAIL FROM:<"+tt.sender+">", "RCPT TO:<"+tt.rcpt+">", "DATA", hops+"Subject: loop\r\n\r\nx\r\n.", "QUIT")
		if !strings.HasPrefix(r[4], "250 ") {
			t.Fatalf("replies %q", r)
		}
	}
	waitFor(t, func() bool { return len(events(t, cl.data[1], journal.Bounced)) == 3 })
	var got []string
	for _, e := range events(t, cl.data[1], journal.Bounced) {
		got = append(got, fmt.Sprintf("%s %s %s %s", e.From, e.Result, e.User, e.Reason))
	}
	want := []string{
		" ok postmaster double-bounce",
		"alice@g1.lab.test dropped  sender-outside-classroom",
		"alice@g1.lab.test ok alice 5.4.6",
	}
	if diff := cmp.Diff(want, sorted(got)); diff != "" {
		t.Errorf("bounces (-want +got):\n%s", diff)
	}
	if b := cl.waitMailbox(1, "alice", 2)[1]; !strings.Contains(b, "Status: 5.4.6") {
		t.Errorf("alice's bounce:\n%s", b)
	}
	if b := cl.waitMailbox(1, group.Postmaster, 1)[0]; !strings.Contains(b, "Status: 5.4.6") {
		t.Errorf("the postmaster's bounce:\n%s", b)
	}
}

// Outsiders who open many idle connections fill only the slots that are
// not kept for the classroom: a peer group's host (its relay) still gets
// in.
func TestSlotsKeptForTheClassroom(t *testing.T) {
	t.Parallel()
	cl := newClass(t, 2)
	data, err := group.OpenData(cl.root, 1, cl.c.GroupDomain(1))
	if err != nil {
		t.Fatal(err)
	}
	g, _ := cl.c.Group(1)
	srv, err := group.New(group.Config{Data: data, SMTPAddr: g.SMTPAddr(), POP3Addr: g.POP3Addr(), Classroom: cl.c,
		Limits: group.Limits{Conns: 10, ConnsPerHost: 10}})
	if err != nil {
		t.Fatal(err)
	}
	if err := srv.Start(); err != nil {
		t.Fatal(err)
	}
	defer srv.Shutdown(context.Background())
	greet := func(from string) string {
		d := net.Dialer{Timeout: 5 * time.Second, LocalAddr: &net.TCPAddr{IP: net.ParseIP(from)}}
		c, err := d.Dial("tcp", g.SMTPAddr())
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { c.Close() })
		c.SetDeadline(time.Now().Add(10 * time.Second))
		return readLine(t, bufio.NewReader(c))
	}
	var got []string
	for i := range 9 { // 10 slots, 2 of them kept: the 9th outsider is one too many
		got = append(got, greet(fmt.Sprintf("127.0.0.%d", 10+i%5))[:3])
	}
	got = append(got, greet("127.0.1.2")[:3], greet("127.0.1.2")[:3], greet("127.0.1.2")[:3])
	want := []string{"220", "220", "220", "220", "220", "220", "220", "220", "421", "220", "220", "421"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("greetings (-want +got):\n%s", diff)
	}
}
