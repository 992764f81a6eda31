package classroom_test

import (
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"maillab/server/classroom"
)

const good = `name = "情報システム工学実験 メールサーバ"
domain = "lab.test"
clusters = [[1, 2, 3]]

[[groups]]
id = 1
host = "127.0.1.1"
smtp = 2525
pop3 = 1110
web  = 8025

[[groups]]
id = 3
host = "127.0.1.3"
smtp = 2525
pop3 = 1110
web  = 8025

[[groups]]
id = 2
host = "127.0.1.2"
smtp = 2525
pop3 = 1110
web  = 8025
`

func TestParseGood(t *testing.T) {
	t.Parallel()
	c, err := classroom.Parse("class.toml", []byte(good))
	if err != nil {
		t.Fatal(err)
	}
	var ids []int
	for _, g := range c.Groups {
		ids = append(ids, g.ID)
	}
	if diff := cmp.Diff([]int{1, 2, 3}, ids); diff != "" {
		t.Errorf("groups sorted (-want +got):\n%s", diff)
	}
	g2, _ := c.Group(2)
	if g2.SMTPAddr() != "127.0.1.2:2525" || g2.POP3Addr() != "127.0.1.2:1110" || g2.WebAddr() != "127.0.1.2:8025" {
		t.Errorf("group 2 addresses %s %s %s", g2.SMTPAddr(), g2.POP3Addr(), g2.WebAddr())
	}
	checks := []struct {
		name      string
		got, want any
	}{
		{"GroupDomain", c.GroupDomain(3), "g3.lab.test"},
		{"GroupOfDomain", c.GroupOfDomain("G2.Lab.Test"), 2},
		{"GroupOfDomain unknown group", c.GroupOfDomain("g9.lab.test"), 0},
		{"GroupOfDomain g02", c.GroupOfDomain("g02.lab.test"), 0},
		{"GroupOfDomain other", c.GroupOfDomain("g2.example.com"), 0},
		{"GroupOfDomain sub", c.GroupOfDomain("x.g2.lab.test"), 0},
		{"GroupOfHost", c.GroupOfHost(net.ParseIP("127.0.1.3")), 3},
		{"GroupOfHost none", c.GroupOfHost(net.ParseIP("127.0.0.1")), 0},
		{"Peers", c.Peers(2), []int{1, 3}},
		{"Cluster", c.Cluster(1), []int{1, 2, 3}},
	}
	for _, ch := range checks {
		if diff := cmp.Diff(ch.want, ch.got); diff != "" {
			t.Errorf("%s (-want +got):\n%s", ch.name, diff)
		}
	}
}

func TestParseErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		edit    func(string) string
		wantErr string
	}{
		{"corrupt", func(s string) string { return s + "\n[[groups]\n" }, "class.toml:26: not valid TOML"},
		{"unknown top key", func(s string) string {
			return strings.Replace(s, `domain = "lab.test"`, "domain = \"lab.test\"\ndomian = \"x\"", 1)
		},
			`class.toml:3: unknown key "domian" (known keys: name, domain, clusters, lang, data, max_conns, groups)`},
		{"bad lang", func(s string) string {
			return strings.Replace(s, `domain = "lab.test"`, "domain = \"lab.test\"\nlang = \"fr\"", 1)
		},
			`class.toml:3: lang "fr": "ja" or "en"`},
		{"lang of the wrong type", func(s string) string {
			return strings.Replace(s, `domain = "lab.test"`, "domain = \"lab.test\"\nlang = 1", 1)
		},
			`class.toml:3: key "lang"`},
		{"blank data", func(s string) string {
			return strings.Replace(s, `domain = "lab.test"`, "domain = \"lab.test\"\ndata = \"  \"", 1)
		},
			`class.toml:3: data "  ": a folder`},
		{"unknown group key", func(s string) string { return strings.Replace(s, "id = 3\n", "id = 3\nhots = \"x\"\n", 1) },
			`class.toml:14: unknown key "hots" in [[groups]]`},
		{"duplicate group", func(s string) string { return strings.Replace(s, "id = 3\n", "id = 1\n", 1) },
			"class.toml:13: group 1 is defined twice (first on line 6)"},
		{"group in two clusters", func(s string) string { return strings.Replace(s, "[[1, 2, 3]]", "[[1, 2], [2, 3]]", 1) },
			"class.toml:3: group 2 is in two clusters: [1 2] and [2 3]"},
		{"group in no cluster", func(s string) string { return strings.Replace(s, "[[1, 2, 3]]", "[[1, 2]]", 1) },
			"class.toml:3: group 3 (line 13) is in no cluster: add it to one of clusters [[1 2]]"},
		{"no clusters", func(s string) string { return strings.Replace(s, "clusters = [[1, 2, 3]]\n", "", 1) },
			"class.toml:5: group 1 is in no cluster: the file has no clusters; list every group in one"},
		{"cluster names a missing group", func(s string) string { return strings.Replace(s, "[[1, 2, 3]]", "[[1, 2, 4]]", 1) },
			"class.toml:3: cluster [1 2 4] names group 4, which has no [[groups]] table"},
		{"two groups on one host", func(s string) string { return strings.Replace(s, `host = "127.0.1.3"`, `host = "127.0.1.1"`, 1) },
			"class.toml:14: group 3: host 127.0.1.1 is group 1's already (line 7); every group needs a machine (an address) of its own"},
		{"two groups on one host, written apart", func(s string) string {
			return strings.Replace(strings.Replace(s, `host = "127.0.1.3"`, `host = "::ffff:127.0.1.1"`, 1), "smtp = 2525\npop3 = 1110\nweb  = 8025\n\n[[groups]]\nid = 2", "smtp = 2526\npop3 = 1110\nweb  = 8025\n\n[[groups]]\nid = 2", 1)
		},
			"class.toml:14: group 3: host ::ffff:127.0.1.1 is group 1's already (line 7)"},
		{"unspecified host", func(s string) string { return strings.Replace(s, `host = "127.0.1.2"`, `host = "0.0.0.0"`, 1) },
			"class.toml:21: group 2: host 0.0.0.0 is the unspecified address (any address), not one machine's address"},
		{"unspecified IPv6 host", func(s string) string { return strings.Replace(s, `host = "127.0.1.2"`, `host = "::"`, 1) },
			"class.toml:21: group 2: host :: is the unspecified address (any address)"},
		{"broadcast host", func(s string) string { return strings.Replace(s, `host = "127.0.1.2"`, `host = "255.255.255.255"`, 1) },
			"class.toml:21: group 2: host 255.255.255.255 is the broadcast address"},
		{"multicast host", func(s string) string { return strings.Replace(s, `host = "127.0.1.2"`, `host = "224.0.0.1"`, 1) },
			"class.toml:21: group 2: host 224.0.0.1 is a multicast address"},
		{"multicast IPv6 host", func(s string) string { return strings.Replace(s, `host = "127.0.1.2"`, `host = "ff02::1"`, 1) },
			"class.toml:21: group 2: host ff02::1 is a multicast address"},
		{"max_conns negative", func(s string) string {
			return strings.Replace(s, `domain = "lab.test"`, "domain = \"lab.test\"\nmax_conns = -1", 1)
		},
			"class.toml:3: max_conns -1: 1 to 100000 connections"},
		{"port clash in a group", func(s string) string {
			return strings.Replace(s, "pop3 = 1110\nweb  = 8025\n\n[[groups]]\nid = 3", "pop3 = 2525\nweb  = 8025\n\n[[groups]]\nid = 3", 1)
		},
			"class.toml:9: group 1: pop3 port 2525 on 127.0.1.1 is already group 1's smtp port"},
		{"bad address", func(s string) string { return strings.Replace(s, `host = "127.0.1.2"`, `host = "127.0.1.300"`, 1) },
			`class.toml:21: group 2: host "127.0.1.300" is not an IP address`},
		{"host name", func(s string) string { return strings.Replace(s, `host = "127.0.1.2"`, `host = "pc02.lab"`, 1) },
			`class.toml:21: group 2: host "pc02.lab" is not an IP address`},
		{"bad port", func(s string) string {
			return strings.Replace(s, "web  = 8025\n\n[[groups]]\nid = 2", "web  = 80250\n\n[[groups]]\nid = 2", 1)
		},
			"class.toml:17: group 3: web port 80250 is not 1 to 65535"},
		{"port as text", func(s string) string {
			return strings.Replace(s, "smtp = 2525\npop3 = 1110\nweb  = 8025\n\n[[groups]]\nid = 3", "smtp = \"2525\"\npop3 = 1110\nweb  = 8025\n\n[[groups]]\nid = 3", 1)
		},
			`class.toml:8: key "smtp": incompatible types`},
		{"bad domain", func(s string) string { return strings.Replace(s, `"lab.test"`, `"Lab Test"`, 1) },
			`class.toml:2: domain: "Lab Test" is not a domain name`},
		{"no groups", func(s string) string { return s[:strings.Index(s, "[[groups]]")] },
			"class.toml: no [[groups]]"},
		{"group id zero", func(s string) string { return strings.Replace(s, "id = 3\n", "id = 0\n", 1) },
			"class.toml:13: group id 0: ids are 1 to 999"},
		{"empty file", func(string) string { return "" }, "class.toml:0"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := classroom.Parse("class.toml", []byte(tt.edit(good)))
			if err == nil {
				t.Fatalf("no error, want %q", tt.wantErr)
			}
			if tt.name == "empty file" {
				if !strings.Contains(err.Error(), "domain") {
					t.Errorf("empty file: %v", err)
				}
				return
			}
			if !strings.HasPrefix(err.Error(), tt.wantErr) {
				t.Errorf("error\n  %v\nwant it to begin with\n  %s", err, tt.wantErr)
			}
		})
	}
}

func TestInit(t *testing.T) {
	t.Parallel()
	b, err := classroom.Init(classroom.DefaultInit)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "c.toml")
	os.WriteFile(path, b, 0o644)
	c, err := classroom.Load(path)
	if err != nil {
		t.Fatalf("Load of what Init wrote: %v\n%s", err, b)
	}
	if len(c.Groups) != 9 || c.Groups[8].Host != "127.0.1.9" || c.Groups[8].SMTP != 2525 {
		t.Errorf("groups %+v", c.Groups)
	}
	if diff := cmp.Diff([][]int{{1, 2, 3}, {4, 5, 6}, {7, 8, 9}}, c.Clusters); diff != "" {
		t.Errorf("clusters (-want +got):\n%s", diff)
	}
	// all on one host: refused, two groups never share a machine
	o := classroom.DefaultInit
	o.Groups, o.ClusterSize, o.HostTemplate = 4, 2, "192.168.0.10"
	if _, err := classroom.Init(o); err == nil || !strings.Contains(err.Error(), "{N}") {
		t.Errorf("Init with one host for all: %v", err)
	}
	o.HostTemplate = "10.0.0.{N}"
	o.Groups = 0
	if _, err := classroom.Init(o); err == nil {
		t.Error("Init with 0 groups accepted")
	}
}

// Init's options reach the file, and the file loads back with them.
func TestInitOptions(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		edit      func(*classroom.InitOptions)
		wantLines []string // lines the file must have
		want      classroom.Classroom
		wantErr   string
	}{
		{"defaults", func(o *classroom.InitOptions) {},
			[]string{`name = "情報システム工学実験 メールサーバ"`, "# The classroom: public, no secrets — every group gets the same copy."},
			classroom.Classroom{Name: "情報システム工学実験 メールサーバ", Domain: "lab.test"}, ""},
		{"english", func(o *classroom.InitOptions) { o.Name, o.Lang = "", "en" },
			[]string{`name = "Information systems lab: mail servers"`, `lang = "en"`, "# The classroom: public, no secrets — every group gets the same copy."},
			classroom.Classroom{Name: "Information systems lab: mail servers", Lang: "en", Domain: "lab.test"}, ""},
		{"japanese", func(o *classroom.InitOptions) { o.Name, o.Lang = "", "ja" },
			[]string{`name = "情報システム工学実験 メールサーバ"`, `lang = "ja"`, "# クラスの設定ファイルです。秘密は含まないので、全班に同じものを配ります。"},
			classroom.Classroom{Name: "情報システム工学実験 メールサーバ", Lang: "ja", Domain: "lab.test"}, ""},
		{"a name of one's own wins", func(o *classroom.InitOptions) { o.Name, o.Lang = "Mail 101", "en" },
			[]string{`name = "Mail 101"`},
			classroom.Classroom{Name: "Mail 101", Lang: "en", Domain: "lab.test"}, ""},
		{"data root and ports", func(o *classroom.InitOptions) { o.Data, o.SMTP, o.POP3, o.Web = "/srv/mail lab", 25, 110, 80 },
			[]string{`data = "/srv/mail lab"`, "smtp = 25", "pop3 = 110", "web  = 80"},
			classroom.Classroom{Name: "情報システム工学実験 メールサーバ", Data: "/srv/mail lab", Domain: "lab.test"}, ""},
		{"port out of range", func(o *classroom.InitOptions) { o.POP3 = 70000 }, nil, classroom.Classroom{}, "classroom: --pop3-port 70000: 1 to 65535"},
		{"two protocols on one port", func(o *classroom.InitOptions) { o.Web = 2525 }, nil, classroom.Classroom{}, "classroom: --web-port 2525: the same port as --smtp-port"},
		{"bad lang", func(o *classroom.InitOptions) { o.Lang = "de" }, nil, classroom.Classroom{}, `classroom: --lang "de": ja or en`},
		{"control character in data", func(o *classroom.InitOptions) { o.Data = "a\nb" }, nil, classroom.Classroom{}, `classroom: --data "a\nb": no control characters`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			o := classroom.DefaultInit
			o.Groups, o.ClusterSize = 2, 2
			tt.edit(&o)
			b, err := classroom.Init(o)
			if tt.wantErr != "" {
				if err == nil || !strings.HasPrefix(err.Error(), tt.wantErr) {
					t.Fatalf("Init: %v, want %s", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			for _, l := range tt.wantLines {
				if !strings.Contains("\n"+string(b), "\n"+l+"\n") {
					t.Errorf("no line %q in\n%s", l, b)
				}
			}
			c, err := classroom.Parse("c.toml", b)
			if err != nil {
				t.Fatal(err)
			}
			got := classroom.Classroom{Name: c.Name, Lang: c.Lang, Data: c.Data, Domain: c.Domain}
			if diff := cmp.Diff(tt.want, got, cmpopts.IgnoreUnexported(classroom.Classroom{})); diff != "" {
				t.Errorf("loaded (-want +got):\n%s", diff)
			}
			smtp, pop3, web := 2525, 1110, 8025
			if o.SMTP != 0 {
				smtp, pop3, web = o.SMTP, o.POP3, o.Web
			}
			if g := c.Groups[1]; g.SMTP != smtp || g.POP3 != pop3 || g.Web != web {
				t.Errorf("group 2's ports %d %d %d, want %d %d %d", g.SMTP, g.POP3, g.Web, smtp, pop3, web)
			}
		})
	}
}

// A relative data root is taken from the classroom file's folder.
func TestDataRoot(t *testing.T) {
	t.Parallel()
	abs, _ := filepath.Abs("/srv/lab")
	tests := []struct{ path, data, want string }{
		{"/etc/lab/class.toml", "", ""},
		{filepath.Join("/etc", "lab", "class.toml"), "data", filepath.Join("/etc", "lab", "data")},
		{filepath.Join("/etc", "lab", "class.toml"), abs, abs},
	}
	for _, tt := range tests {
		c := classroom.Classroom{Path: tt.path, Data: tt.data}
		if got := c.DataRoot(); got != tt.want {
			t.Errorf("DataRoot of %q in %s = %q, want %q", tt.data, tt.path, got, tt.want)
		}
	}
}

// max_conns sets the connection limit of every group's server.
func TestMaxConns(t *testing.T) {
	t.Parallel()
	c, err := classroom.Parse("class.toml", []byte(strings.Replace(good, `domain = "lab.test"`, "domain = \"lab.test\"\nmax_conns = 50", 1)))
	if err != nil {
		t.Fatal(err)
	}
	if c.MaxConns != 50 {
		t.Errorf("MaxConns = %d, want 50", c.MaxConns)
	}
}

// A class is shown under its name, else its domain.
func TestTitle(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		edit func(string) string
		want string
	}{
		{"named", func(s string) string { return s }, "情報システム工学実験 メールサーバ"},
		{"no name", func(s string) string { return s[strings.Index(s, "\n")+1:] }, "lab.test"},
		{"blank name", func(s string) string {
			return strings.Replace(s, "情報システム工学実験 メールサーバ", "  ", 1)
		}, "lab.test"},
	}
	for _, tt := range tests {
		c, err := classroom.Parse("class.toml", []byte(tt.edit(good)))
		if err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		if diff := cmp.Diff(tt.want, c.Title()); diff != "" {
			t.Errorf("%s: Title (-want +got):\n%s", tt.name, diff)
		}
	}
}
