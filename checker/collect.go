package checker

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"

	"maillab/server/account"
	"maillab/server/classroom"
	"maillab/server/datadir"
	"maillab/server/evidence"
	"maillab/server/journal"
	"maillab/server/web"
)

// Collector gathers the evidence of groups, each from its data folder on
// this machine or from its server's web API, all at once.
type Collector struct {
	// Classroom says where each group's server is; nil when the groups
	// run standalone (then only data folders can be read).
	Classroom *classroom.Classroom
	// DataRoot holds data folders, DIR/gN.
	DataRoot string
	// Local says whether group id's evidence is read from its data folder
	// rather than from its server. Nil means: when the folder has a
	// journal.
	Local func(id int) bool
	// Client reads the servers; nil means a web.Client with its default
	// timeout.
	Client *web.Client
}

// Needs returns the groups whose evidence a check of group g reads: g and
// the other groups of its cluster.
func Needs(c *classroom.Classroom, g int) []int {
	if c == nil {
		return []int{g}
	}
	return append([]int{g}, c.Peers(g)...)
}

// Collect reads the evidence of the groups. A group that cannot be read is
// in the evidence as unreachable, with the reason.
func (c *Collector) Collect(ctx context.Context, groups []int) *Evidence {
	type got struct {
		domain   string
		accounts []string
		state    *evidence.State
		err      error
	}
	results := make([]got, len(groups))
	var wg sync.WaitGroup
	for i, id := range groups {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := &results[i]
			if c.local(id) {
				r.domain, r.accounts, r.state, r.err = c.readLocal(id)
			} else {
				r.domain, r.accounts, r.state, r.err = c.readRemote(ctx, id)
			}
		}()
	}
	wg.Wait()
	ev := NewEvidence(c.Classroom)
	for i, id := range groups {
		r := results[i]
		if r.err != nil {
			ev.Unreachable(id, r.err)
			continue
		}
		ev.SetGroup(id, r.domain, r.accounts)
		ev.SetState(id, r.state)
	}
	return ev
}

func (c *Collector) local(id int) bool {
	if c.Local != nil {
		return c.Local(id)
	}
	if c.DataRoot == "" {
		return false
	}
	dir := datadir.DirFor(c.DataRoot, id)
	for _, name := range []string{journal.FileName, datadir.EvidenceFile} {
		if _, err := os.Stat(filepath.Join(dir, name)); err == nil {
			return true
		}
	}
	return false
}

// readLocal reads a group's data folder without changing it: its saved
// evidence summaries and what its journal recorded after them.
func (c *Collector) readLocal(id int) (domain string, accounts []string, st *evidence.State, err error) {
	dir := datadir.DirFor(c.DataRoot, id)
	if _, err := os.Stat(dir); err != nil {
		return "", nil, nil, fmt.Errorf("checker: no data for group %d: %w", id, err)
	}
	domain = datadir.ReadDomain(dir)
	list, err := account.Open(dir).List()
	if err != nil {
		return "", nil, nil, err
	}
	for _, a := range list {
		accounts = append(accounts, a.Name)
	}
	st, err = evidence.Load(dir, id)
	return domain, accounts, st, err
}

// ErrNoServer is wrapped when a group's server cannot be found: no
// classroom file, or the group is not in it.
var ErrNoServer = errors.New("checker: no server known")

func (c *Collector) readRemote(ctx context.Context, id int) (domain string, accounts []string, st *evidence.State, err error) {
	if c.Classroom == nil {
		return "", nil, nil, fmt.Errorf("%w for group %d (no classroom file, and no data folder under %s)", ErrNoServer, id, c.DataRoot)
	}
	g, ok := c.Classroom.Group(id)
	if !ok {
		return "", nil, nil, fmt.Errorf("%w for group %d (not in the classroom file)", ErrNoServer, id)
	}
	client := c.Client
	if client == nil {
		client = &web.Client{}
	}
	s, err := client.Status(ctx, g.WebAddr())
	if err != nil {
		return "", nil, nil, err
	}
	if s.Group != id {
		return "", nil, nil, fmt.Errorf("checker: %s is group %d's server, not group %d's", g.WebAddr(), s.Group, id)
	}
	st, err = client.Evidence(ctx, g.WebAddr())
	if err == nil && st.Group != id {
		err = fmt.Errorf("checker: %s gave group %d's evidence, not group %d's", g.WebAddr(), st.Group, id)
	}
	return s.Domain, s.Accounts, st, err
}
