//go:build linux

// Network namespaces (ip netns) exist only on Linux; CI runs this as root.

package main

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"maillab/internal/testenv"
)

// Three lab machines as three Linux network namespaces on one virtual
// switch (a bridge in a fourth namespace), one `lab start` each: mail from
// group 1 to group 2 crosses the wire through group 1's relay, and a member
// of group 1 logs in with APOP to group 1's server from group 3's machine.
// The namespaces are removed at the end.
func TestThreeHostsInNetworkNamespaces(t *testing.T) {
	t.Parallel()
	testenv.Long(t, "three servers in network namespaces")
	if os.Geteuid() != 0 {
		testenv.Unavailable(t, "ip netns needs root (CI runs this test as root)")
	}
	ip := testenv.NeedTool(t, "ip")
	python := testenv.NeedTool(t, "python3")
	tag := fmt.Sprintf("ml%d", os.Getpid()%100000)
	sw := tag + "sw"
	run := func(args ...string) {
		t.Helper()
		if out, err := exec.Command(ip, args...).CombinedOutput(); err != nil {
			t.Fatalf("ip %s: %v\n%s", strings.Join(args, " "), err, out)
		}
	}
	hosts := []string{tag + "h1", tag + "h2", tag + "h3"}
	t.Cleanup(func() {
		for _, ns := range append(hosts, sw) {
			exec.Command(ip, "netns", "del", ns).Run()
		}
	})
	if out, err := exec.Command(ip, "netns", "add", sw).CombinedOutput(); err != nil {
		// root without the right to make namespaces: a container
		testenv.Unavailable(t, "ip netns add: %v: %s", err, strings.TrimSpace(string(out)))
	}
	run("-n", sw, "link", "add", "br0", "type", "bridge")
	run("-n", sw, "link", "set", "br0", "up")
	for i, ns := range hosts {
		n := i + 1
		run("netns", "add", ns)
		run("-n", ns, "link", "set", "lo", "up")
		// a cable from the host's eth0 to a port of the switch
		run("-n", ns, "link", "add", "eth0", "type", "veth", "peer", "name", fmt.Sprintf("p%d", n), "netns", sw)
		run("-n", ns, "addr", "add", fmt.Sprintf("10.231.0.%d/24", n), "dev", "eth0")
		run("-n", ns, "link", "set", "eth0", "up")
		run("-n", sw, "link", "set", fmt.Sprintf("p%d", n), "master", "br0")
		run("-n", sw, "link", "set", fmt.Sprintf("p%d", n), "up")
	}
	o := "name = \"netns\"\ndomain = \"lab.test\"\nclusters = [[1, 2, 3]]\n"
	for n := 1; n <= 3; n++ {
		o += fmt.Sprintf("[[groups]]\nid = %d\nhost = \"10.231.0.%d\"\nsmtp = 2525\npop3 = 1110\nweb = 8025\n", n, n)
	}
	dir := t.TempDir()
	path := filepath.Join(dir, "classroom.toml")
	os.WriteFile(path, []byte(o), 0o644)

	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	pw := map[int]map[string]string{}
	for i, ns := range hosts {
		n := i + 1
		cmd := exec.CommandContext(ctx, ip, "netns", "exec", ns, os.Args[0], "start", "--group", fmt.Sprint(n), "--classroom", path, "--data", filepath.Join(dir, ns))
		cmd.Env = append(os.Environ(), "LAB_TEST_MAIN=1", "LANG=en_US.UTF-8", "NO_COLOR=1", "MAILLAB_RELAY_RETRY=200ms")
		out, _ := cmd.StdoutPipe()
		cmd.Stderr = cmd.Stdout
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
		f, _ := out.(*os.File)
		pw[n] = passwords(t, &childOutput{Reader: bufio.NewReader(out), f: f}, "Ctrl-C stops the server")
	}
	client := func(ns string, args ...string) string {
		t.Helper()
		cmd := exec.CommandContext(ctx, ip, append([]string{"netns", "exec", ns, python}, args...)...)
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("%s in %s: %v\n%s", strings.Join(args, " "), ns, err, out)
		}
		return string(out)
	}
	clients := "../server/group/testdata/clients/"
	// a member of group 1, on group 1's machine, sends to group 2 through
	// group 1's server
	client(hosts[0], clients+"smtplib_client.py", "10.231.0.1", "2525", "yom@g1.lab.test", "hana@g2.lab.test", "over the wire")
	// hana reads it on group 2's machine
	var got string
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(200 * time.Millisecond) {
		got = client(hosts[1], clients+"poplib_client.py", "10.231.0.2", "1110", "hana", pw[2]["hana"], "user")
		if strings.Contains(got, "Subject: over the wire") {
			break
		}
	}
	if !strings.Contains(got, "Subject: over the wire") {
		t.Fatalf("group 2's hana never got the message:\n%s", got)
	}
	// yom of group 1 fetches mail with APOP from group 3's machine
	got = client(hosts[2], clients+"poplib_client.py", "10.231.0.1", "1110", "yom", pw[1]["yom"], "apop")
	if !strings.Contains(got, "stat 1") || !strings.Contains(got, "signing off") {
		t.Errorf("APOP from group 3's machine:\n%s", got)
	}
	// group 1's journal places that session on group 3's host
	j, _ := os.ReadFile(filepath.Join(dir, hosts[0], "g1", "journal.jsonl"))
	if !strings.Contains(string(j), `"remote":"10.231.0.3:`) || !strings.Contains(string(j), `"client_group":3`) {
		t.Errorf("group 1's journal has no session from group 3's host")
	}
	// and group 2's journal places the relay on group 1's host
	j, _ = os.ReadFile(filepath.Join(dir, hosts[1], "g2", "journal.jsonl"))
	if !strings.Contains(string(j), `"remote":"10.231.0.1:`) {
		t.Errorf("group 2's journal has no session from group 1's host")
	}
}
