// Package checkertest runs what the checker's tests need for real: a
// classroom of group servers on loopback, one address per group
// (127.0.1.N, as `lab up` rehearses a class), each with its web API; and
// a typist that plays a telnet session line by line at a chosen pace,
// from a chosen group's address.
package checkertest

import (
	"bufio"
	"context"
	"crypto/md5"
	"crypto/tls"
	"encoding/hex"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"maillab/server/certs"
	"maillab/server/classroom"
	"maillab/server/group"
	"maillab/server/web"
)

// Config shapes a Lab.
type Config struct {
	// Groups are the groups to run; nil means 1, 2 and 3.
	Groups []int
	// Clusters of the classroom file; nil means one cluster of all.
	Clusters [][]int
	// Users are each group's accounts; nil means yom, hana and taro.
	Users []string
	// Root is the data root; "" means a new temporary folder.
	Root string
	// NoWeb leaves the web APIs off.
	NoWeb bool
	// TLS gives each group's servers a self-signed certificate, so that
	// POP3 offers STLS and SMTP STARTTLS.
	TLS bool
}

// Lab is a classroom of running group servers.
type Lab struct {
	Root          string
	Classroom     *classroom.Classroom
	ClassroomPath string // the classroom file, in Root
	Groups        map[int]*Group
}

// Group is one group's running server.
type Group struct {
	ID        int
	Host      string // 127.0.1.N: the server listens here, and clients of this group connect from here
	Data      *group.Data
	Server    *group.Server
	Web       *web.Server       // nil with Config.NoWeb
	Passwords map[string]string // user → password
}

// SMTPAddr is host:port of the group's SMTP server.
func (g *Group) SMTPAddr() string { return g.Server.SMTPAddr().String() }

// POP3Addr is host:port of the group's POP3 server.
func (g *Group) POP3Addr() string { return g.Server.POP3Addr().String() }

// Password is the password of a user of the group: "USER-gN-secret".
func Password(user string, group int) string {
	return user + "-g" + strconv.Itoa(group) + "-secret"
}

// Host is the loopback address of group n's machine.
func Host(n int) string { return "127.0.1." + strconv.Itoa(n) }

// Start writes the lab's classroom file and runs its servers, with the
// relay between groups on (retrying quickly), and stops everything at the
// end of the test. Ports are found free before the servers take them, as
// the classroom file must name them first.
func Start(t testing.TB, cfg Config) *Lab {
	t.Helper()
	if cfg.Groups == nil {
		cfg.Groups = []int{1, 2, 3}
	}
	if cfg.Clusters == nil {
		cfg.Clusters = [][]int{cfg.Groups}
	}
	if cfg.Users == nil {
		cfg.Users = []string{"yom", "hana", "taro"}
	}
	if cfg.Root == "" {
		cfg.Root = t.TempDir()
	}
	var b strings.Builder
	fmt.Fprintf(&b, "name = \"test\"\ndomain = \"lab.test\"\nclusters = [")
	for i, cl := range cfg.Clusters {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(strings.ReplaceAll(fmt.Sprint(cl), " ", ", "))
	}
	b.WriteString("]\n")
	for _, id := range cfg.Groups {
		p := freePorts(t, Host(id), 3)
		fmt.Fprintf(&b, "\n[[groups]]\nid = %d\nhost = %q\nsmtp = %d\npop3 = %d\nweb = %d\n", id, Host(id), p[0], p[1], p[2])
	}
	lab := &Lab{Root: cfg.Root, Groups: map[int]*Group{}, ClassroomPath: filepath.Join(cfg.Root, "classroom.toml")}
	if err := os.WriteFile(lab.ClassroomPath, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	c, err := classroom.Load(lab.ClassroomPath)
	if err != nil {
		t.Fatal(err)
	}
	lab.Classroom = c
	for _, id := range cfg.Groups {
		cg, _ := c.Group(id)
		g := &Group{ID: id, Host: cg.Host, Passwords: map[string]string{}}
		data, err := group.OpenData(cfg.Root, id, c.GroupDomain(id))
		if err != nil {
			t.Fatal(err)
		}
		gc := group.Config{
			Data: data, SMTPAddr: cg.SMTPAddr(), POP3Addr: cg.POP3Addr(), Classroom: c,
			Relay: group.RelayOptions{MinRetry: 50 * time.Millisecond, MaxRetry: 200 * time.Millisecond},
		}
		if cfg.TLS {
			gc.TLS = selfSigned(t, c.GroupDomain(id), cg.Host)
		}
		srv, err := group.New(gc)
		if err != nil {
			t.Fatal(err)
		}
		for _, u := range cfg.Users {
			g.Passwords[u] = Password(u, id)
			if err := data.AddUser(u, g.Passwords[u], srv.Journal()); err != nil {
				t.Fatal(err)
			}
		}
		if err := srv.Start(); err != nil {
			t.Fatal(err)
		}
		g.Data, g.Server = data, srv
		t.Cleanup(func() {
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			srv.Shutdown(ctx)
		})
		if !cfg.NoWeb {
			w, err := web.Start(cg.WebAddr(), web.Config{Data: &data.Folder, Evidence: srv.Evidence(), MaskCommand: group.MaskCommand, Listen: web.Listen{SMTP: g.SMTPAddr(), POP3: g.POP3Addr()}})
			if err != nil {
				t.Fatal(err)
			}
			g.Web = w
			t.Cleanup(func() { w.Shutdown(context.Background()) })
		}
		lab.Groups[id] = g
	}
	return lab
}

// selfSigned returns a server TLS configuration with a self-signed
// certificate for domain and host.
func selfSigned(t testing.TB, domain, host string) *tls.Config {
	t.Helper()
	certPEM, keyPEM, err := certs.SelfSigned(domain, []net.IP{net.ParseIP(host)}, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	pair, err := tls.X509KeyPair(certPEM, keyPEM)
	if err != nil {
		t.Fatal(err)
	}
	return &tls.Config{Certificates: []tls.Certificate{pair}, MinVersion: tls.VersionTLS12}
}

// freePorts returns n different ports that nothing listens on at host.
func freePorts(t testing.TB, host string, n int) []int {
	t.Helper()
	var ports []int
	for len(ports) < n {
		ln, err := net.Listen("tcp", host+":0")
		if err != nil {
			t.Fatal(err)
		}
		p := ln.Addr().(*net.TCPAddr).Port
		ln.Close()
		if !slices.Contains(ports, p) && handOut(p) {
			ports = append(ports, p)
		}
	}
	return ports
}

// handedOut are the ports freePorts gave to the tests of this process:
// a port closed by one test's freePorts may be the next one the system
// offers another test running in parallel, before the first has bound it.
var handedOut struct {
	sync.Mutex
	ports map[int]bool
}

// handOut takes port for a test, and says false if another had it.
func handOut(port int) bool {
	handedOut.Lock()
	defer handedOut.Unlock()
	if handedOut.ports == nil {
		handedOut.ports = map[int]bool{}
	}
	if handedOut.ports[port] {
		return false
	}
	handedOut.ports[port] = true
	return true
}

// Session is a conversation to type.
type Session struct {
	// From is the address the client connects from: a group's Host, or
	// "" for the system's choice (127.0.0.1 on loopback).
	From string
	// Addr is the server's host:port.
	Addr string
	// Lines are typed one at a time, each after the answer to the one
	// before. "{digest}" in a line is replaced with the APOP digest of
	// this connection's timestamp and Secret, "{digest-newline}" with
	// the digest made the way `echo` without -n makes it. After a DATA
	// answered with 354, lines are typed without waiting, up to the lone
	// ".". A line "<close>" closes the connection there, without QUIT; a
	// line "<tls>" starts TLS there (after STLS or STARTTLS was answered),
	// as openssl s_client -starttls does, trusting any certificate.
	Lines []string
	// Delay is the pause before each line: people type at about a
	// second a line, a program at none.
	Delay time.Duration
	// Secret is the APOP secret (the password).
	Secret string
}

var timestamp = regexp.MustCompile(`<[^<>@ ]+@[^<> ]+>`)

// Type plays the session and returns its transcript ("S: " and "C: "
// lines). It fails the test when the connection fails, not when the
// server says no.
func Type(t testing.TB, s Session) string {
	t.Helper()
	d := net.Dialer{Timeout: 5 * time.Second}
	if s.From != "" {
		d.LocalAddr = &net.TCPAddr{IP: net.ParseIP(s.From)}
	}
	var c net.Conn
	c, err := d.Dial("tcp", s.Addr)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { c.Close() }()
	c.SetDeadline(time.Now().Add(60*time.Second + time.Duration(len(s.Lines))*s.Delay))
	r := bufio.NewReader(c)
	var tr strings.Builder
	read := func() string {
		l, err := r.ReadString('\n')
		if err != nil {
			t.Fatalf("reading from %s: %v\n%s", s.Addr, err, tr.String())
		}
		l = strings.TrimRight(l, "\r\n")
		tr.WriteString("S: " + l + "\n")
		return l
	}
	greeting := read()
	smtp := strings.HasPrefix(greeting, "220")
	ts := timestamp.FindString(greeting)
	inData := false
	for _, line := range s.Lines {
		time.Sleep(s.Delay)
		if line == "<close>" {
			tr.WriteString("C: <close>\n")
			return tr.String()
		}
		if line == "<tls>" {
			tc := tls.Client(c, &tls.Config{InsecureSkipVerify: true})
			if err := tc.Handshake(); err != nil {
				t.Fatalf("TLS with %s: %v\n%s", s.Addr, err, tr.String())
			}
			tr.WriteString("C: <tls>\n")
			c, r = tc, bufio.NewReader(tc)
			continue
		}
		line = strings.ReplaceAll(line, "{digest}", md5hex(ts+s.Secret))
		line = strings.ReplaceAll(line, "{digest-newline}", md5hex(ts+s.Secret+"\n"))
		tr.WriteString("C: " + line + "\n")
		if _, err := io.WriteString(c, line+"\r\n"); err != nil {
			t.Fatalf("writing to %s: %v", s.Addr, err)
		}
		if inData && line != "." {
			continue
		}
		inData = false
		reply := read()
		verb := strings.ToUpper(strings.Fields(line + " x")[0])
		switch {
		case smtp:
			for len(reply) > 3 && reply[3] == '-' {
				reply = read()
			}
			inData = verb == "DATA" && strings.HasPrefix(reply, "354")
		case strings.HasPrefix(reply, "+OK") && multiline(line):
			for read() != "." {
			}
		}
	}
	// read what is left (the server closes after QUIT)
	c.SetReadDeadline(time.Now().Add(2 * time.Second))
	rest, _ := io.ReadAll(r)
	if len(rest) > 0 {
		tr.WriteString("S: " + strings.TrimRight(string(rest), "\r\n") + "\n")
	}
	return tr.String()
}

// multiline says whether a POP3 command's +OK answer goes on to a ".".
func multiline(line string) bool {
	f := strings.Fields(strings.ToUpper(line))
	switch {
	case len(f) == 0:
		return false
	case f[0] == "RETR" || f[0] == "TOP" || f[0] == "CAPA":
		return true
	case f[0] == "LIST" || f[0] == "UIDL":
		return len(f) == 1
	}
	return false
}

func md5hex(s string) string {
	sum := md5.Sum([]byte(s))
	return hex.EncodeToString(sum[:])
}
