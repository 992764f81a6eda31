package journal

import (
	"runtime/debug"
	"sync"
	"time"
)

// closeWait is how long Close waits for the subscribers to deliver what
// they have.
const closeWait = 3 * time.Second

// Subscription is a subscriber of a journal: its own goroutine calls its
// function with the events, in order, from a bounded queue that the
// journal fills without waiting. A subscriber that falls behind by more
// than the queue holds loses the oldest events it has not seen, and is
// then given a Dropped event counting them. A panic of the function is
// recovered (and logged); the next event is delivered as usual.
type Subscription struct {
	j      *Journal
	fn     func(Event)
	around func(deliver func()) // see SubscribeBatches; nil: none

	mu      sync.Mutex
	ring    []Event // the queue: n events from head on
	head, n int
	lost    int    // events dropped since the last Dropped event
	pushed  uint64 // events queued or dropped, ever
	done    uint64 // of which that many are delivered or dropped
	idle    sync.Cond
	closed  bool
	wake    chan struct{}
	stopped chan struct{}
}

// Subscribe calls fn, on a goroutine of its own, with every event recorded
// from now on, in order, and with Dropped and WriteFailed events. It never
// slows Record down: see Subscription. fn may block, write to a terminal
// or a network; it must not record into this journal.
func (j *Journal) Subscribe(fn func(Event)) *Subscription {
	return j.SubscribeBatches(fn, nil)
}

// SubscribeBatches is Subscribe, with around called for each batch of
// events handed over at once — the events queued while the subscriber was
// busy with the previous batch — and given the function that delivers
// them to fn. A subscriber that writes to a terminal or a file can so
// gather a batch's lines into one write: one for many events under load,
// one for each event when they come one at a time. around must call
// deliver once; a panic in it is recovered and logged like one in fn.
func (j *Journal) SubscribeBatches(fn func(Event), around func(deliver func())) *Subscription {
	s := &Subscription{
		j: j, fn: fn, around: around,
		ring:    make([]Event, j.opt.QueueEvents),
		wake:    make(chan struct{}, 1),
		stopped: make(chan struct{}),
	}
	s.idle.L = &s.mu
	j.mu.Lock()
	if j.closed {
		s.closed = true
	} else {
		j.subs = append(j.subs, s)
	}
	j.mu.Unlock()
	go s.run()
	return s
}

// push queues e, dropping the oldest event when the queue is full. It
// never blocks.
func (s *Subscription) push(e Event) {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return
	}
	s.pushed++
	if s.n == len(s.ring) {
		s.ring[s.head] = e
		s.head = (s.head + 1) % len(s.ring)
		s.lost++
		s.done++
	} else {
		s.ring[(s.head+s.n)%len(s.ring)] = e
		s.n++
	}
	s.mu.Unlock()
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

func (s *Subscription) run() {
	defer close(s.stopped)
	var batch []Event
	for {
		s.mu.Lock()
		for s.n == 0 && s.lost == 0 && !s.closed {
			s.mu.Unlock()
			<-s.wake
			s.mu.Lock()
		}
		if s.n == 0 && s.lost == 0 && s.closed {
			s.idle.Broadcast()
			s.mu.Unlock()
			return
		}
		batch = batch[:0]
		for i := range s.n {
			k := (s.head + i) % len(s.ring)
			batch = append(batch, s.ring[k])
			s.ring[k] = Event{}
		}
		s.head, s.n = 0, 0
		lost := s.lost
		s.lost = 0
		s.mu.Unlock()
		deliver := func() {
			if lost > 0 {
				s.deliver(Event{Time: time.Now(), Group: s.j.group, Kind: Dropped, Count: lost})
			}
			for _, e := range batch {
				s.deliver(e)
			}
		}
		if s.around == nil {
			deliver()
		} else {
			s.deliverAround(deliver)
		}
		clear(batch)
		s.mu.Lock()
		s.done += uint64(len(batch))
		s.idle.Broadcast()
		s.mu.Unlock()
	}
}

// deliver calls the subscriber's function, recovering a panic.
func (s *Subscription) deliver(e Event) {
	defer func() {
		if r := recover(); r != nil {
			s.j.logf("journal: panic in a subscriber (event %s): %v\n%s", e.Kind, r, debug.Stack())
		}
	}()
	s.fn(e)
}

// deliverAround calls around with deliver, recovering a panic of around.
func (s *Subscription) deliverAround(deliver func()) {
	defer func() {
		if r := recover(); r != nil {
			s.j.logf("journal: panic around a subscriber's batch: %v\n%s", r, debug.Stack())
		}
	}()
	s.around(deliver)
}

// Wait returns once every event queued for the subscriber before the call
// has been delivered (or dropped), or the subscription has stopped.
func (s *Subscription) Wait() {
	s.mu.Lock()
	defer s.mu.Unlock()
	target := s.pushed
	for s.done < target && !(s.closed && s.n == 0) {
		s.idle.Wait()
	}
}

// Stop ends the subscription: no event is queued from now on; those queued
// are still delivered. It does not wait for them.
func (s *Subscription) Stop() {
	j := s.j
	j.mu.Lock()
	for i, x := range j.subs {
		if x == s {
			j.subs = append(j.subs[:i:i], j.subs[i+1:]...)
			break
		}
	}
	j.mu.Unlock()
	s.close()
}

func (s *Subscription) close() {
	s.mu.Lock()
	s.closed = true
	s.idle.Broadcast()
	s.mu.Unlock()
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

// Done is closed once the subscription has stopped and delivered all it
// had.
func (s *Subscription) Done() <-chan struct{} { return s.stopped }

// closeSubscriptions stops subs and waits until they have delivered what
// they had, or until wait has passed.
func closeSubscriptions(subs []*Subscription, wait time.Duration) {
	if len(subs) == 0 {
		return
	}
	for _, s := range subs {
		s.close()
	}
	timer := time.NewTimer(wait)
	defer timer.Stop()
	for _, s := range subs {
		select {
		case <-s.stopped:
		case <-timer.C:
			return
		}
	}
}

// OnlyRecorded wraps a subscriber so that it sees only the events of the
// journal's file, not the Dropped and WriteFailed events the journal
// gives its subscribers itself (for one that keeps evidence, like the
// live guide).
func OnlyRecorded(fn func(Event)) func(Event) {
	return func(e Event) {
		if e.Kind != Dropped && e.Kind != WriteFailed {
			fn(e)
		}
	}
}
