package classroom_test

import (
	"sort"
	"testing"

	"maillab/server/classroom"
)

// FuzzParse feeds the classroom loader anything: it must not panic, and a
// file it accepts has what the rest of the kit relies on.
func FuzzParse(f *testing.F) {
	f.Add([]byte(good))
	b, _ := classroom.Init(classroom.DefaultInit)
	f.Add(b)
	for _, s := range []string{"", "domain = \"x\"", "[[groups]]\nid = 1", "clusters = [[1,1]]", "domain = \"lab.test\"\n[[groups]]\nid=1\nhost=\"::1\"\nsmtp=1\npop3=2\nweb=3\n"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := classroom.Parse("fuzz.toml", data)
		if err != nil {
			if err.Error() == "" {
				t.Fatal("empty error message")
			}
			return
		}
		if len(c.Groups) == 0 || classroom.CheckDomain(c.Domain) != nil {
			t.Fatalf("accepted %+v", c)
		}
		if !sort.SliceIsSorted(c.Groups, func(i, j int) bool { return c.Groups[i].ID < c.Groups[j].ID }) {
			t.Fatal("groups not sorted")
		}
		seen := map[int]bool{}
		for _, g := range c.Groups {
			if seen[g.ID] {
				t.Fatalf("group %d twice", g.ID)
			}
			seen[g.ID] = true
			if c.GroupOfDomain(c.GroupDomain(g.ID)) != g.ID {
				t.Fatalf("group %d's domain %s does not map back", g.ID, c.GroupDomain(g.ID))
			}
			for _, p := range c.Peers(g.ID) {
				if p == g.ID || !seen[p] && func() bool { _, ok := c.Group(p); return !ok }() {
					t.Fatalf("peer %d of %d", p, g.ID)
				}
			}
		}
	})
}
