// Package classroom reads the classroom file: the public description of a
// lab class that every group's copy shares — the mail domain, the groups
// with their machines and ports, and the clusters of groups that work
// together (1–3, 4–6, 7–9 in the handout).
//
// Loading checks everything and names the line of any mistake: a corrupt
// file, an unknown key, a duplicate group, a group in two clusters or in
// none, a port used twice on one host, a bad address, two groups on one
// host, a host that is no one machine's (unspecified, broadcast,
// multicast).
package classroom

import (
	"bytes"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"github.com/BurntSushi/toml"
)

// Group is one group of the classroom.
type Group struct {
	ID   int    `toml:"id"`
	Host string `toml:"host"` // the group's machine: an IP address
	SMTP int    `toml:"smtp"`
	POP3 int    `toml:"pop3"`
	Web  int    `toml:"web"`

	line int            // where its table begins, for messages
	keys map[string]int // where its keys stand
}

// lineOf is the line of one of the group's keys, else of its table.
func (g Group) lineOf(key string) int {
	if n, ok := g.keys[key]; ok {
		return n
	}
	return g.line
}

// SMTPAddr is host:port of the group's SMTP server.
func (g Group) SMTPAddr() string { return net.JoinHostPort(g.Host, strconv.Itoa(g.SMTP)) }

// POP3Addr is host:port of the group's POP3 server.
func (g Group) POP3Addr() string { return net.JoinHostPort(g.Host, strconv.Itoa(g.POP3)) }

// WebAddr is host:port of the group's read-only web API.
func (g Group) WebAddr() string { return net.JoinHostPort(g.Host, strconv.Itoa(g.Web)) }

// Classroom is a loaded, checked classroom file.
type Classroom struct {
	Name     string  `toml:"name"`
	Domain   string  `toml:"domain"`
	Clusters [][]int `toml:"clusters"`
	Groups   []Group `toml:"groups"`
	// MaxConns is the most connections each group server takes at once
	// per protocol (lab start --max-conns overrides it); 0: the default.
	MaxConns int `toml:"max_conns"`
	// Lang is the class's language, "ja" or "en", for commands given no
	// --lang; "": the locale's.
	Lang string `toml:"lang"`
	// Data is the data root for commands given no --data; a relative
	// path is taken from the classroom file's folder (see DataRoot).
	Data string `toml:"data"`

	// Path is the file it was read from.
	Path string `toml:"-"`
}

// Error is a mistake in a classroom file, with the line it is on (0 when
// it is about the whole file).
type Error struct {
	Path string
	Line int
	Msg  string
}

func (e *Error) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("%s:%d: %s", e.Path, e.Line, e.Msg)
	}
	return fmt.Sprintf("%s: %s", e.Path, e.Msg)
}

// Load reads and checks the classroom file at path.
func Load(path string) (*Classroom, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("classroom: %w", err)
	}
	return Parse(path, b)
}

// Parse reads and checks a classroom file's contents; name is used in
// messages.
func Parse(name string, data []byte) (*Classroom, error) {
	var c Classroom
	md, err := toml.Decode(string(data), &c)
	if err != nil {
		var pe toml.ParseError
		if errors.As(err, &pe) {
			line := pe.Position.Line
			if strings.Contains(pe.Message, `got '\n'`) && line > 1 {
				line-- // the parser stands on the next line when a line ends too soon
			}
			return nil, &Error{Path: name, Line: line, Msg: "not valid TOML: " + pe.Message}
		}
		if m := typeError.FindStringSubmatch(err.Error()); m != nil {
			line, _ := strconv.Atoi(m[1])
			key := m[2][strings.LastIndexByte(m[2], '.')+1:]
			if strings.HasPrefix(m[2], "groups.") {
				// BurntSushi names the key of the last group; find the one
				// whose value is of the wrong kind
				if n := indexLines(data).wrongKind(key, strings.HasSuffix(m[3], "type integer")); n > 0 {
					line = n
				}
			}
			return nil, &Error{Path: name, Line: line, Msg: fmt.Sprintf("key %q: %s", key, m[3])}
		}
		return nil, &Error{Path: name, Msg: err.Error()}
	}
	c.Path = name
	lines := indexLines(data)
	if keys := md.Undecoded(); len(keys) > 0 {
		k := keys[0]
		return nil, &Error{Path: name, Line: lines.keyLine(k), Msg: fmt.Sprintf("unknown key %q%s (known keys: %s)", k[len(k)-1], where(k), known(k))}
	}
	for i := range c.Groups {
		c.Groups[i].line = lines.groupLine(i)
		if i < len(lines.keys) {
			c.Groups[i].keys = lines.keys[i]
		}
	}
	if err := c.check(lines); err != nil {
		return nil, err
	}
	return &c, nil
}

func where(k toml.Key) string {
	if len(k) > 1 && k[0] == "groups" {
		return " in [[groups]]"
	}
	return ""
}

func known(k toml.Key) string {
	if len(k) > 1 && k[0] == "groups" {
		return "id, host, smtp, pop3, web"
	}
	return "name, domain, clusters, lang, data, max_conns, groups"
}

// typeError is how BurntSushi/toml words a value of the wrong type.
var typeError = regexp.MustCompile(`^toml: line (\d+) \(last key "([^"]+)"\): (.*)$`)

var domainLabel = regexp.MustCompile(`^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$`)

// CheckDomain says whether d is a usable mail domain (lower-case labels).
func CheckDomain(d string) error {
	if d == "" || len(d) > 200 {
		return errors.New("the domain must have 1 to 200 characters")
	}
	for _, l := range strings.Split(d, ".") {
		if !domainLabel.MatchString(l) {
			return fmt.Errorf("%q is not a domain name (lower-case letters, digits and '-', labels separated by '.')", d)
		}
	}
	return nil
}

func (c *Classroom) check(lines lineIndex) error {
	bad := func(line int, format string, args ...any) error {
		return &Error{Path: c.Path, Line: line, Msg: fmt.Sprintf(format, args...)}
	}
	if err := CheckDomain(c.Domain); err != nil {
		return bad(lines.top["domain"], "domain: %v", err)
	}
	if len(c.Groups) == 0 {
		return bad(0, "no [[groups]]: the classroom needs at least one group")
	}
	if c.MaxConns < 0 || c.MaxConns > MaxConnsLimit {
		return bad(lines.top["max_conns"], "max_conns %d: 1 to %d connections (or leave it out for the default)", c.MaxConns, MaxConnsLimit)
	}
	if c.Lang != "" && c.Lang != "ja" && c.Lang != "en" {
		return bad(lines.top["lang"], "lang %q: \"ja\" or \"en\" (or leave it out for the locale's)", c.Lang)
	}
	if c.Data != "" && strings.TrimSpace(c.Data) == "" {
		return bad(lines.top["data"], "data %q: a folder, or leave it out for the default", c.Data)
	}
	hosts := map[string]Group{} // host → the group on it
	ids := map[int]int{}        // id → line
	type hostPort struct {
		host string
		port int
	}
	used := map[hostPort]string{}
	for _, g := range c.Groups {
		if g.ID < 1 || g.ID > 999 {
			return bad(g.lineOf("id"), "group id %d: ids are 1 to 999", g.ID)
		}
		if first, dup := ids[g.ID]; dup {
			return bad(g.lineOf("id"), "group %d is defined twice (first on line %d)", g.ID, first)
		}
		ids[g.ID] = g.lineOf("id")
		ip := net.ParseIP(g.Host)
		if ip == nil {
			return bad(g.lineOf("host"), "group %d: host %q is not an IP address (the group's machine, e.g. 127.0.1.%d)", g.ID, g.Host, g.ID)
		}
		if why := notAHost(ip); why != "" {
			return bad(g.lineOf("host"), "group %d: host %s is %s, not one machine's address (e.g. 127.0.1.%d)", g.ID, g.Host, why, g.ID)
		}
		if other, shared := hosts[ip.String()]; shared {
			// a client's address tells which group it is, and the relay
			// sends from it: two groups on one machine are told apart by
			// nothing
			return bad(g.lineOf("host"), "group %d: host %s is group %d's already (line %d); every group needs a machine (an address) of its own", g.ID, g.Host, other.ID, other.lineOf("host"))
		}
		hosts[ip.String()] = g
		for _, p := range []struct {
			name string
			port int
		}{{"smtp", g.SMTP}, {"pop3", g.POP3}, {"web", g.Web}} {
			if p.port < 1 || p.port > 65535 {
				return bad(g.lineOf(p.name), "group %d: %s port %d is not 1 to 65535", g.ID, p.name, p.port)
			}
			key := hostPort{ip.String(), p.port}
			if other, clash := used[key]; clash {
				return bad(g.lineOf(p.name), "group %d: %s port %d on %s is already %s", g.ID, p.name, p.port, g.Host, other)
			}
			used[key] = fmt.Sprintf("group %d's %s port", g.ID, p.name)
		}
	}
	in := map[int]int{} // group → cluster index
	for ci, cl := range c.Clusters {
		if len(cl) == 0 {
			return bad(lines.top["clusters"], "cluster %d is empty", ci+1)
		}
		for _, id := range cl {
			if _, ok := ids[id]; !ok {
				return bad(lines.top["clusters"], "cluster %v names group %d, which has no [[groups]] table", cl, id)
			}
			if other, twice := in[id]; twice {
				return bad(lines.top["clusters"], "group %d is in two clusters: %v and %v", id, c.Clusters[other], cl)
			}
			in[id] = ci
		}
	}
	// a group in no cluster has no one to send mail to or fetch it from:
	// it could never pass cross-send or cross-apop
	for _, g := range c.Groups {
		if _, ok := in[g.ID]; ok || (len(c.Clusters) == 0 && len(c.Groups) == 1) {
			continue
		}
		if len(c.Clusters) == 0 {
			return bad(g.lineOf("id"), "group %d is in no cluster: the file has no clusters; list every group in one, e.g. clusters = [[1, 2, 3], [4, 5, 6]]", g.ID)
		}
		return bad(lines.top["clusters"], "group %d (line %d) is in no cluster: add it to one of clusters %v", g.ID, g.lineOf("id"), c.Clusters)
	}
	sort.Slice(c.Groups, func(i, j int) bool { return c.Groups[i].ID < c.Groups[j].ID })
	return nil
}

// MaxConnsLimit is the largest max_conns a classroom file may set.
const MaxConnsLimit = 100000

// notAHost says why ip cannot be a group machine's address: unspecified
// (0.0.0.0, ::), broadcast or multicast; "" when it can be.
func notAHost(ip net.IP) string {
	switch {
	case ip.IsUnspecified():
		return "the unspecified address (any address)"
	case ip.Equal(net.IPv4bcast):
		return "the broadcast address"
	case ip.IsMulticast():
		return "a multicast address"
	}
	return ""
}

// DataRoot is the data root the file names (key data), a relative one
// taken from the file's folder; "" when the file names none.
func (c *Classroom) DataRoot() string {
	if c.Data == "" || filepath.IsAbs(c.Data) {
		return c.Data
	}
	return filepath.Join(filepath.Dir(c.Path), c.Data)
}

// Group returns the group with the id.
func (c *Classroom) Group(id int) (Group, bool) {
	for _, g := range c.Groups {
		if g.ID == id {
			return g, true
		}
	}
	return Group{}, false
}

// Title is the name the class is shown under: its name, else its mail
// domain, else "maillab".
func (c *Classroom) Title() string {
	if n := strings.TrimSpace(c.Name); n != "" {
		return n
	}
	if c.Domain != "" {
		return c.Domain
	}
	return "maillab"
}

// GroupDomain is group id's mail domain, e.g. "g3.lab.test".
func (c *Classroom) GroupDomain(id int) string {
	return "g" + strconv.Itoa(id) + "." + c.Domain
}

// GroupOfDomain returns the group whose mail domain d is (case-insensitive),
// or 0.
func (c *Classroom) GroupOfDomain(d string) int {
	d = strings.ToLower(d)
	rest, ok := strings.CutSuffix(d, "."+c.Domain)
	if !ok || len(rest) < 2 || rest[0] != 'g' {
		return 0
	}
	id, err := strconv.Atoi(rest[1:])
	if err != nil || strconv.Itoa(id) != rest[1:] {
		return 0
	}
	if _, ok := c.Group(id); !ok {
		return 0
	}
	return id
}

// GroupOfHost returns the group whose machine ip is, or 0.
func (c *Classroom) GroupOfHost(ip net.IP) int {
	for _, g := range c.Groups {
		if h := net.ParseIP(g.Host); h != nil && h.Equal(ip) {
			return g.ID
		}
	}
	return 0
}

// Cluster returns the groups of id's cluster, id included, in the file's
// order; a group in no cluster is a cluster of its own.
func (c *Classroom) Cluster(id int) []int {
	for _, cl := range c.Clusters {
		for _, g := range cl {
			if g == id {
				return append([]int(nil), cl...)
			}
		}
	}
	return []int{id}
}

// Peers returns the other groups of id's cluster.
func (c *Classroom) Peers(id int) []int {
	var out []int
	for _, g := range c.Cluster(id) {
		if g != id {
			out = append(out, g)
		}
	}
	return out
}

// InitOptions shape the classroom file Init writes.
type InitOptions struct {
	Name         string // "": DefaultName(Lang)
	Domain       string
	Groups       int
	ClusterSize  int
	HostTemplate string // "{N}" is replaced by the group number
	// Lang, when set ("ja" or "en"), is written as the class's language,
	// and the comments and the default name are in it.
	Lang string
	// Data, when set, is written as the class's data root.
	Data string
	// SMTP, POP3 and Web are every group's ports; 0: 2525, 1110, 8025.
	SMTP, POP3, Web int
}

// Default ports of a classroom file's groups.
const (
	DefaultSMTP = 2525
	DefaultPOP3 = 1110
	DefaultWeb  = 8025
)

// DefaultInit is what `lab classroom init` writes without flags: the
// handout's nine groups in clusters of three, one loopback address each.
var DefaultInit = InitOptions{
	Name:         DefaultName("ja"),
	Domain:       "lab.test",
	Groups:       9,
	ClusterSize:  3,
	HostTemplate: "127.0.1.{N}",
}

// DefaultName is the class's name Init writes in language lang when given
// none.
func DefaultName(lang string) string {
	if lang == "en" {
		return "Information systems lab: mail servers"
	}
	return "情報システム工学実験 メールサーバ"
}

// initComments are the opening comments of a written file, by language.
var initComments = map[string]string{
	"": "# The classroom: public, no secrets — every group gets the same copy.\n" +
		"# Group N's mail domain is gN.<domain>. In a real lab, set each host to\n" +
		"# that group's machine address.\n",
	"ja": "# クラスの設定ファイルです。秘密は含まないので、全班に同じものを配ります。\n" +
		"# N 班のメールドメインは gN.<domain> です。実際の実験室では、各 host を\n" +
		"# その班のマシンのアドレスにしてください。\n",
}

func init() { initComments["en"] = initComments[""] }

// Init writes a classroom file. The host template must have "{N}": two
// groups never share a machine.
func Init(o InitOptions) ([]byte, error) {
	if o.Groups < 1 || o.Groups > 999 {
		return nil, fmt.Errorf("classroom: --groups %d: 1 to 999", o.Groups)
	}
	if o.ClusterSize < 1 {
		return nil, fmt.Errorf("classroom: --cluster-size %d: at least 1", o.ClusterSize)
	}
	if err := CheckDomain(o.Domain); err != nil {
		return nil, fmt.Errorf("classroom: %w", err)
	}
	if !strings.Contains(o.HostTemplate, "{N}") {
		return nil, fmt.Errorf("classroom: --host-template %q has no {N}: every group needs a machine (an address) of its own", o.HostTemplate)
	}
	if o.Lang != "" && o.Lang != "ja" && o.Lang != "en" {
		return nil, fmt.Errorf("classroom: --lang %q: ja or en", o.Lang)
	}
	ports := []struct {
		flag string
		port *int
		def  int
	}{{"--smtp-port", &o.SMTP, DefaultSMTP}, {"--pop3-port", &o.POP3, DefaultPOP3}, {"--web-port", &o.Web, DefaultWeb}}
	seen := map[int]string{}
	for _, p := range ports {
		if *p.port == 0 {
			*p.port = p.def
		}
		if *p.port < 1 || *p.port > 65535 {
			return nil, fmt.Errorf("classroom: %s %d: 1 to 65535", p.flag, *p.port)
		}
		if other, dup := seen[*p.port]; dup {
			return nil, fmt.Errorf("classroom: %s %d: the same port as %s; each protocol needs its own", p.flag, *p.port, other)
		}
		seen[*p.port] = p.flag
	}
	if o.Name == "" {
		o.Name = DefaultName(o.Lang)
	}
	for _, v := range []struct{ flag, s string }{{"--name", o.Name}, {"--data", o.Data}} {
		if strings.IndexFunc(v.s, func(r rune) bool { return r < ' ' || r == 0x7f }) >= 0 {
			return nil, fmt.Errorf("classroom: %s %q: no control characters", v.flag, v.s)
		}
	}
	var b bytes.Buffer
	b.WriteString(initComments[o.Lang])
	fmt.Fprintf(&b, "name = %q\n", o.Name)
	if o.Lang != "" {
		fmt.Fprintf(&b, "lang = %q\n", o.Lang)
	}
	if o.Data != "" {
		fmt.Fprintf(&b, "data = %q\n", o.Data)
	}
	fmt.Fprintf(&b, "domain = %q\n", o.Domain)
	b.WriteString("clusters = [")
	for start := 1; start <= o.Groups; start += o.ClusterSize {
		if start > 1 {
			b.WriteString(", ")
		}
		b.WriteString("[")
		for id := start; id < start+o.ClusterSize && id <= o.Groups; id++ {
			if id > start {
				b.WriteString(", ")
			}
			b.WriteString(strconv.Itoa(id))
		}
		b.WriteString("]")
	}
	b.WriteString("]\n")
	for id := 1; id <= o.Groups; id++ {
		host := strings.ReplaceAll(o.HostTemplate, "{N}", strconv.Itoa(id))
		fmt.Fprintf(&b, "\n[[groups]]\nid = %d\nhost = %q\nsmtp = %d\npop3 = %d\nweb  = %d\n", id, host, o.SMTP, o.POP3, o.Web)
	}
	if _, err := Parse("classroom.toml", b.Bytes()); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}
