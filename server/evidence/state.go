package evidence

import (
	"cmp"
	"slices"
	"strings"
	"time"

	"maillab/server/journal"
)

// Bounds of a State.
const (
	// MaxOpen is how many sessions may be open at once; when one more
	// opens, the oldest is settled as it stands.
	MaxOpen = 512
	// MaxPending is how many deliveries wait to be retrieved; the oldest
	// is dropped (and can no longer count) when one more comes.
	MaxPending = 4096
	// MaxSenders is how many envelope senders are remembered; the one
	// seen least recently is dropped.
	MaxSenders = 512
	// MaxAccepted is how many accepted messages' header recipients wait
	// for their deliveries.
	MaxAccepted = 1024
	// MaxAccounts, MaxHints and MaxGroups bound the account names, the
	// hints and the groups a State knows of.
	MaxAccounts = 1024
	MaxHints    = 64
	MaxGroups   = 256
	// MaxRecent is how many of the latest sessions are kept for display,
	// each with at most MaxLines lines.
	MaxRecent = 16
	MaxLines  = 80
)

// State is the evidence of one group's server, kept up to date event by
// event. Its methods are not safe for concurrent use (a Tracker is).
type State struct {
	Group int `json:"group"`
	// Events counts the events applied; Last is the latest event time.
	Events int64     `json:"events"`
	Last   time.Time `json:"last,omitzero"`

	Accounts []string       `json:"accounts,omitempty"`
	Hints    map[string]int `json:"hints,omitempty"` // exercise → highest tier asked

	// Open are the sessions not closed yet, by id.
	Open map[string]*Session `json:"open,omitempty"`
	// Owners holds, by the group the sessions belong to, the candidate
	// sessions of each rule.
	Owners map[int]*Owner `json:"owners,omitempty"`
	// ClientGroups is, for each classroom group whose machine opened a
	// POP3 session here, the Seq of the first one.
	ClientGroups map[int]int64 `json:"client_groups,omitempty"`

	// Senders holds, by envelope sender, what became of the mail
	// delivered here that is not the kit's.
	Senders map[string]*Sender `json:"senders,omitempty"`
	// Pending are deliveries not retrieved yet, by user and UIDL.
	Pending []*Delivery `json:"pending,omitempty"`
	// Headers are the To and Cc addresses of recently accepted messages,
	// by message id.
	Headers []*Header `json:"headers,omitempty"`
	// Bcc is what the Bcc exercise needs of the deliveries here.
	Bcc Bcc `json:"bcc"`
	// Outgoing is what the relay did with mail sent from here, by sender.
	Outgoing map[string]*Outgoing `json:"outgoing,omitempty"`

	// Crack is the first test account's APOP digest `lab crack` recovered
	// for this group (nil: none); the apop-weakness extension reads it.
	Crack *Crack `json:"crack,omitempty"`

	// Recent are the latest sessions, the newest last, as a person reads
	// them (the journal's lines: secrets masked at the source).
	Recent []*Transcript `json:"recent,omitempty"`
	// Flow counts mail delivered here by the group that handed it over
	// (0: none), and relay entries by destination and state.
	Flow Flow `json:"flow"`

	openOrder  []string // ids of Open, oldest first (some closed since)
	pendingIdx map[string]*Delivery
	headerIdx  map[string]*Header // by message id
	gone       int                // deliveries in Pending retrieved since
}

// Transcript is one of the latest sessions, for display: its command and
// reply lines as the journal has them, never a message.
type Transcript struct {
	ID    string    `json:"id"`
	Proto string    `json:"proto"`
	Start time.Time `json:"start"`
	// Remote is the client's address; ClientGroup the classroom group
	// whose machine it is (0: none).
	Remote      string `json:"remote,omitempty"`
	ClientGroup int    `json:"client_group,omitempty"`
	User        string `json:"user,omitempty"` // of the last successful login
	Closed      bool   `json:"closed,omitempty"`
	Probe       bool   `json:"probe,omitempty"`
	Lines       []Line `json:"lines"`
	// More is how many lines were left out.
	More int `json:"more,omitempty"`
}

// Line is a line of a session: Dir "C" from the client, "S" from the
// server.
type Line struct {
	Dir  string `json:"dir"`
	Text string `json:"text"`
}

// transcript takes an event of a session for the latest sessions; first
// says it is the session's first event.
func (st *State) transcript(e *journal.Event, first bool) {
	var t *Transcript
	if first {
		t = &Transcript{ID: e.Session, Proto: e.Proto, Start: e.Time, Lines: []Line{}}
		if len(st.Recent) >= MaxRecent {
			copy(st.Recent, st.Recent[1:])
			st.Recent = st.Recent[:MaxRecent-1]
		}
		st.Recent = append(st.Recent, t)
	} else {
		for i := len(st.Recent) - 1; i >= 0; i-- {
			if st.Recent[i].ID == e.Session {
				t = st.Recent[i]
				break
			}
		}
		if t == nil {
			return // an older session
		}
	}
	line := func(dir, text string) {
		if len(t.Lines) >= MaxLines {
			t.More++
			return
		}
		t.Lines = append(t.Lines, Line{Dir: dir, Text: text})
	}
	switch e.Kind {
	case journal.Open:
		t.Remote, t.ClientGroup, t.Start = e.Remote, e.ClientGroup, e.Time
	case journal.Command:
		line("C", e.Line)
	case journal.Reply:
		line("S", e.Line)
	case journal.Login:
		if e.Result == journal.ResultOK {
			t.User = e.User
		}
		if strings.HasPrefix(e.User, ProbeUserPrefix) {
			t.Probe = true
		}
	case journal.Accepted:
		if e.Origin == journal.OriginProbe {
			t.Probe = true
		}
		if e.Subject != "" {
			// the raw Subject field of the message accepted (a header,
			// bounded and escaped by the server): the page decodes it
			line("M", e.Subject)
		}
	case journal.Close:
		t.Closed = true
	}
}

// Owner is what a State keeps of the sessions of one owner group.
type Owner struct {
	// Rules holds, for each rule (by index) and each number of steps done,
	// the candidates.
	Rules [numRules][]Class `json:"rules"`
	// APOP says that a POP3 session of this group logged in with APOP.
	APOP bool `json:"apop,omitempty"`
	// TLSLogin is when the latest POP3 session of this group that logged
	// in over TLS began.
	TLSLogin time.Time `json:"tls_login,omitzero"`
}

// Delivery is a message put into a mailbox here.
type Delivery struct {
	Seq  int64     `json:"seq"`
	Time time.Time `json:"t"`
	User string    `json:"user"`
	UID  string    `json:"uid,omitempty"`
	From string    `json:"from"`
	Rcpt string    `json:"rcpt"` // the first envelope recipient, else User
	// Header holds the To and Cc addresses, for a Bcc delivery.
	Header []string `json:"header,omitempty"`
	Bcc    bool     `json:"bcc,omitempty"`
	gone   bool     // retrieved since: no longer pending
}

// Sender is what became of one envelope sender's mail delivered here.
type Sender struct {
	// Any says that a message from it was delivered (postmaster included).
	Any bool `json:"any"`
	// First is its first delivery to a user other than postmaster; Read
	// the first such delivery retrieved afterwards.
	First *Delivery `json:"first,omitempty"`
	Read  *Delivery `json:"read,omitempty"`
	Seq   int64     `json:"seq"` // when last seen
}

// Header is the To and Cc addresses of an accepted message.
type Header struct {
	ID    string   `json:"id"`
	Addrs []string `json:"addrs"`
}

// Bcc is what the Bcc exercise needs: whether mail that is not the kit's
// was received, the first delivery with no To or Cc, the first delivery to
// a recipient in neither, and the first of those retrieved.
type Bcc struct {
	Received bool      `json:"received,omitempty"`
	NoHeader *Delivery `json:"no_header,omitempty"`
	First    *Delivery `json:"first,omitempty"`
	Read     *Delivery `json:"read,omitempty"`
}

// Outgoing is what the relay did with one sender's mail.
type Outgoing struct {
	// Dests is, by destination group, the Seq of the first entry.
	Dests map[int]int64 `json:"dests"`
	// Bounced and Queued are the last entry given up on, and the last
	// entry queued.
	Bounced *RelayEntry `json:"bounced,omitempty"`
	Queued  *RelayEntry `json:"queued,omitempty"`
	Seq     int64       `json:"seq"` // when last seen
}

// RelayEntry is one relay event.
type RelayEntry struct {
	Seq       int64    `json:"seq"`
	Rcpt      []string `json:"rcpt,omitempty"`
	DestGroup int      `json:"dest_group,omitempty"`
	Error     string   `json:"error,omitempty"`
}

// Flow counts the mail between groups as this server saw it.
type Flow struct {
	// Delivered counts deliveries here by the group whose machine handed
	// the message over; 0 is none (the sender's domain then says).
	Delivered map[int]int `json:"delivered,omitempty"`
	// BySender counts deliveries from no classroom machine, by the
	// domain of the envelope sender.
	BySender map[string]int `json:"by_sender,omitempty"`
	// Waiting holds the relay entries waiting for another attempt: entry
	// id → destination group (at most MaxPending).
	Waiting map[string]int `json:"waiting,omitempty"`
	// Ended holds the relay entries whose end (relayed or bounced) came
	// before their "queued" event (at most MaxPending): the relay may
	// take an entry from the queue before the session that queued it has
	// recorded so, and that "queued" must then not make it wait forever.
	Ended map[string]bool `json:"ended,omitempty"`
	// Bounced counts the relay entries given up on, by destination group.
	Bounced map[int]int `json:"bounced,omitempty"`
	// Messages and MessagesBySender count messages where Delivered and
	// BySender count deliveries (a message to two recipients here is two
	// deliveries, one message).
	Messages         map[int]int    `json:"messages,omitempty"`
	MessagesBySender map[string]int `json:"messages_by_sender,omitempty"`
	// LastID is the message of the last delivery counted: the deliveries
	// of one message are journaled one after another.
	LastID string `json:"last_id,omitempty"`
}

// WaitingFor counts the relay entries waiting, by destination group.
func (f *Flow) WaitingFor() map[int]int {
	n := map[int]int{}
	for _, g := range f.Waiting {
		n[g]++
	}
	return n
}

// New returns the empty state of group's server.
func New(group int) *State {
	st := &State{Group: group}
	st.init()
	return st
}

// init makes the maps and indexes (after New, or after loading).
func (st *State) init() {
	if st.Hints == nil {
		st.Hints = map[string]int{}
	}
	if st.Open == nil {
		st.Open = map[string]*Session{}
	}
	if st.Owners == nil {
		st.Owners = map[int]*Owner{}
	}
	if st.ClientGroups == nil {
		st.ClientGroups = map[int]int64{}
	}
	if st.Senders == nil {
		st.Senders = map[string]*Sender{}
	}
	if st.Outgoing == nil {
		st.Outgoing = map[string]*Outgoing{}
	}
	if st.Flow.Delivered == nil {
		st.Flow.Delivered = map[int]int{}
	}
	if st.Flow.BySender == nil {
		st.Flow.BySender = map[string]int{}
	}
	if st.Flow.Waiting == nil {
		st.Flow.Waiting = map[string]int{}
	}
	if st.Flow.Messages == nil {
		st.Flow.Messages = map[int]int{}
	}
	if st.Flow.MessagesBySender == nil {
		st.Flow.MessagesBySender = map[string]int{}
	}
	if st.Flow.Bounced == nil {
		st.Flow.Bounced = map[int]int{}
	}
	st.openOrder = st.openOrder[:0]
	ids := make([]*Session, 0, len(st.Open))
	for _, s := range st.Open {
		ids = append(ids, s)
	}
	slices.SortFunc(ids, func(a, b *Session) int { return cmp.Compare(a.Seq, b.Seq) })
	for _, s := range ids {
		st.openOrder = append(st.openOrder, s.ID)
	}
	st.pendingIdx = make(map[string]*Delivery, len(st.Pending))
	for _, d := range st.Pending {
		st.pendingIdx[d.User+"\x00"+d.UID] = d
	}
	st.headerIdx = make(map[string]*Header, len(st.Headers))
	for _, h := range st.Headers {
		st.headerIdx[h.ID] = h
	}
}

// Apply takes the next event of the server's journal, in order. It costs
// a constant time, whatever came before.
func (st *State) Apply(e journal.Event) {
	st.Events++
	seq := st.Events
	if e.Time.After(st.Last) {
		st.Last = e.Time
	}
	switch e.Kind {
	case journal.Account:
		if e.User != "" && !slices.Contains(st.Accounts, e.User) && len(st.Accounts) < MaxAccounts {
			st.Accounts = append(st.Accounts, e.User)
		}
	case journal.Hint:
		if _, ok := st.Hints[e.ID]; ok || len(st.Hints) < MaxHints {
			st.Hints[e.ID] = max(st.Hints[e.ID], e.Count)
		}
	case journal.Start:
		// a new server: the sessions of the one before never end
		for _, id := range st.openOrder {
			if s := st.Open[id]; s != nil {
				st.settle(s)
			}
		}
		st.openOrder = st.openOrder[:0]
	case journal.Accepted:
		st.accepted(&e)
	case journal.Delivered:
		if e.Result == "" || e.Result == journal.ResultOK {
			st.delivered(&e, seq)
		}
	case journal.Queued, journal.Relayed:
		st.relay(&e, seq)
	case KindCrack:
		if e.Session == "" && e.User != "" {
			st.MergeCrack(&Crack{User: e.User, Time: e.Time})
		}
	}
	if e.Session == "" {
		return
	}
	s := st.Open[e.Session]
	st.transcript(&e, s == nil)
	if s == nil {
		s = &Session{Seq: seq, ID: e.Session, Proto: e.Proto, Server: st.Group, Open: e.Time}
		st.Open[e.Session] = s
		st.openOrder = append(st.openOrder, e.Session)
		st.evictOpen()
	}
	s.add(&e)
	switch e.Kind {
	case journal.Open:
		if e.Proto == "pop3" && e.ClientGroup != 0 {
			if _, ok := st.ClientGroups[e.ClientGroup]; !ok && len(st.ClientGroups) < MaxGroups {
				st.ClientGroups[e.ClientGroup] = s.Seq
			}
		}
	case journal.Login:
		if s.APOPOK && s.Proto == "pop3" {
			if o := st.owner(s.Owner()); o != nil {
				o.APOP = true
			}
		}
		if s.TLS && s.Proto == "pop3" && e.Result == journal.ResultOK {
			if o := st.owner(s.Owner()); o != nil && s.Open.After(o.TLSLogin) {
				o.TLSLogin = s.Open
			}
		}
	case journal.Retrieved:
		st.retrieved(&e)
	case journal.Close:
		st.settle(s)
	}
}

// evictOpen settles the oldest open sessions while there are too many,
// and forgets the ids of closed ones at the front of the order.
func (st *State) evictOpen() {
	for len(st.openOrder) > 0 {
		id := st.openOrder[0]
		s := st.Open[id]
		if s != nil && len(st.Open) <= MaxOpen {
			break
		}
		st.openOrder = st.openOrder[1:]
		if s != nil {
			st.settle(s)
		}
	}
	if cap(st.openOrder) > 4*MaxOpen && len(st.openOrder) < MaxOpen {
		st.openOrder = slices.Clone(st.openOrder)
	}
}

// settle closes the books on a session: it leaves Open, and becomes a
// candidate of the rules it applies to.
func (st *State) settle(s *Session) {
	if st.Open[s.ID] == s {
		delete(st.Open, s.ID)
	}
	s.settle()
	g := s.Owner()
	if g == 0 {
		return
	}
	o := st.owner(g)
	if o == nil {
		return
	}
	for _, r := range Rules {
		if !r.Applies(s) {
			continue
		}
		if o.Rules[r] == nil {
			o.Rules[r] = make([]Class, len(r.Steps())+1)
		}
		o.Rules[r][r.Done(s)].add(s)
	}
}

func (st *State) owner(g int) *Owner {
	if g == 0 {
		return nil
	}
	o := st.Owners[g]
	if o == nil {
		if len(st.Owners) >= MaxGroups {
			return nil
		}
		o = &Owner{}
		st.Owners[g] = o
	}
	return o
}

// Candidates returns the sessions that may be evidence of rule r for group
// g: the candidates kept of the closed ones, and those still open, in the
// order they began.
func (st *State) Candidates(r Rule, g int) []*Session {
	var out []*Session
	if o := st.Owners[g]; o != nil {
		for i := range o.Rules[r] {
			out = o.Rules[r][i].appendTo(out)
		}
	}
	for _, s := range st.Open {
		if s.Owner() == g && r.Applies(s) {
			out = append(out, s)
		}
	}
	slices.SortFunc(out, func(a, b *Session) int { return cmp.Compare(a.Seq, b.Seq) })
	return slices.CompactFunc(out, func(a, b *Session) bool { return a == b || a.Seq == b.Seq && a.ID == b.ID })
}

// APOPFrom says whether a POP3 session of group g logged in with APOP.
func (st *State) APOPFrom(g int) bool {
	for _, s := range st.Open {
		if s.Proto == "pop3" && s.Owner() == g && s.APOPOK {
			return true
		}
	}
	o := st.Owners[g]
	return o != nil && o.APOP
}

// FirstClientGroup returns the classroom group of the first POP3 session
// from a classroom machine for which keep is true, or 0.
func (st *State) FirstClientGroup(keep func(g int) bool) int {
	best, at := 0, int64(0)
	for g, seq := range st.ClientGroups {
		if keep(g) && (best == 0 || seq < at) {
			best, at = g, seq
		}
	}
	return best
}

func (st *State) accepted(e *journal.Event) {
	if e.ID == "" {
		return
	}
	addrs := append(append([]string{}, e.To...), e.Cc...)
	if h := st.headerIdx[e.ID]; h != nil {
		h.Addrs = addrs
		return
	}
	if len(st.Headers) >= MaxAccepted {
		delete(st.headerIdx, st.Headers[0].ID)
		st.Headers[0] = nil
		st.Headers = st.Headers[1:]
	}
	h := &Header{ID: e.ID, Addrs: addrs}
	st.headerIdx[e.ID] = h
	st.Headers = append(st.Headers, h)
}

func (st *State) delivered(e *journal.Event, seq int64) {
	st.countDelivery(e)
	if IsKit(e.From, e.Origin) {
		return
	}
	snd := st.Senders[e.From]
	if snd == nil {
		if len(st.Senders) >= MaxSenders {
			st.dropSender()
		}
		snd = &Sender{}
		st.Senders[e.From] = snd
	}
	snd.Any, snd.Seq = true, seq
	if e.User == "postmaster" {
		return
	}
	d := &Delivery{Seq: seq, Time: e.Time, User: e.User, UID: e.UID, From: e.From, Rcpt: e.User}
	if len(e.Rcpt) > 0 {
		d.Rcpt = e.Rcpt[0]
	}
	if snd.First == nil {
		snd.First = d
	}
	st.Bcc.Received = true
	if h := st.headerIdx[e.ID]; h != nil {
		header := h.Addrs
		switch {
		case len(header) == 0:
			if st.Bcc.NoHeader == nil {
				st.Bcc.NoHeader = d
			}
		case !InHeader(d.Rcpt, header):
			d.Bcc, d.Header = true, header
			if st.Bcc.First == nil {
				st.Bcc.First = d
			}
		}
	}
	if snd.Read != nil && !d.Bcc {
		return // nothing more to learn from its retrieval
	}
	key := d.User + "\x00" + d.UID
	if old := st.pendingIdx[key]; old != nil {
		old.gone = true
		st.gone++
	}
	for len(st.Pending)-st.gone >= MaxPending {
		p := st.Pending[0]
		if p.gone {
			st.gone--
		} else {
			delete(st.pendingIdx, p.User+"\x00"+p.UID)
		}
		st.Pending[0] = nil
		st.Pending = st.Pending[1:]
	}
	st.Pending = append(st.Pending, d)
	st.pendingIdx[key] = d
}

// compactPending drops the retrieved deliveries from Pending.
func (st *State) compactPending() {
	if st.gone == 0 {
		return
	}
	kept := make([]*Delivery, 0, len(st.Pending)-st.gone)
	for _, d := range st.Pending {
		if !d.gone {
			kept = append(kept, d)
		}
	}
	st.Pending, st.gone = kept, 0
}

// dropSender forgets the sender seen least recently.
func (st *State) dropSender() {
	var oldest string
	at := int64(-1)
	for k, s := range st.Senders {
		if at < 0 || s.Seq < at {
			oldest, at = k, s.Seq
		}
	}
	delete(st.Senders, oldest)
}

func (st *State) retrieved(e *journal.Event) {
	key := e.User + "\x00" + e.UID
	d := st.pendingIdx[key]
	if d == nil || e.Time.Before(d.Time) {
		return
	}
	delete(st.pendingIdx, key)
	d.gone = true
	if st.gone++; st.gone > len(st.Pending)/2 {
		st.compactPending()
	}
	if snd := st.Senders[d.From]; snd != nil && (snd.Read == nil || d.Seq < snd.Read.Seq) {
		snd.Read = d
	}
	if d.Bcc && (st.Bcc.Read == nil || d.Seq < st.Bcc.Read.Seq) {
		st.Bcc.Read = d
	}
}

func (st *State) relay(e *journal.Event, seq int64) {
	st.countRelay(e)
	if IsKit(e.From, e.Origin) {
		return
	}
	out := st.Outgoing[e.From]
	if out == nil {
		if len(st.Outgoing) >= MaxSenders {
			var oldest string
			at := int64(-1)
			for k, o := range st.Outgoing {
				if at < 0 || o.Seq < at {
					oldest, at = k, o.Seq
				}
			}
			delete(st.Outgoing, oldest)
		}
		out = &Outgoing{Dests: map[int]int64{}}
		st.Outgoing[e.From] = out
	}
	out.Seq = seq
	if _, ok := out.Dests[e.DestGroup]; !ok && len(out.Dests) < MaxGroups {
		out.Dests[e.DestGroup] = seq
	}
	entry := &RelayEntry{Seq: seq, Rcpt: slices.Clone(e.Rcpt), DestGroup: e.DestGroup, Error: e.Error}
	switch {
	case e.Kind == journal.Relayed && e.Result == journal.ResultBounced:
		out.Bounced = entry
	case e.Kind == journal.Queued:
		out.Queued = entry
	}
}

func (st *State) countDelivery(e *journal.Event) {
	if e.Origin != "" || e.From == "" {
		return
	}
	g := 0
	if s := st.Open[e.Session]; s != nil {
		g = s.ClientGroup
	}
	newMessage := e.ID == "" || e.ID != st.Flow.LastID
	st.Flow.LastID = e.ID
	if g != 0 {
		if _, ok := st.Flow.Delivered[g]; ok || len(st.Flow.Delivered) < MaxGroups {
			st.Flow.Delivered[g]++
			if newMessage {
				st.Flow.Messages[g]++
			}
		}
		return
	}
	_, domain := SplitAddr(e.From)
	if _, ok := st.Flow.BySender[domain]; ok || len(st.Flow.BySender) < MaxGroups {
		st.Flow.BySender[domain]++
		if newMessage {
			st.Flow.MessagesBySender[domain]++
		}
	}
}

// countRelay follows the relay entries' states for the mail flow.
func (st *State) countRelay(e *journal.Event) {
	if e.Origin != "" || e.From == "" || e.ID == "" {
		return
	}
	f := &st.Flow
	switch {
	case e.Kind == journal.Queued && f.Ended[e.ID]:
		delete(f.Ended, e.ID) // it ended before its queueing was recorded
	case e.Kind == journal.Queued || e.Result == journal.ResultDeferred:
		if _, ok := f.Waiting[e.ID]; ok || len(f.Waiting) < MaxPending {
			f.Waiting[e.ID] = e.DestGroup
		}
	default:
		if e.Result == journal.ResultBounced {
			if _, ok := f.Bounced[e.DestGroup]; ok || len(f.Bounced) < MaxGroups {
				f.Bounced[e.DestGroup]++
			}
		}
		if _, ok := f.Waiting[e.ID]; ok {
			delete(f.Waiting, e.ID)
		} else {
			if f.Ended == nil || len(f.Ended) >= MaxPending {
				f.Ended = map[string]bool{} // bounded: the oldest are long settled
			}
			f.Ended[e.ID] = true
		}
	}
}
