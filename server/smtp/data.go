package smtp

import (
	"errors"
	"fmt"
	"strconv"
	"time"

	"maillab/server/wire"
)

// DefaultDataTimeout is the time a message's data may take when
// Server.DataTimeout is not set: the ten minutes RFC 5321 section
// 4.5.3.2.6 gives a client to wait for the reply to the final ".", here
// given to the whole data, so that a client sending a byte now and then
// cannot hold a session (and its share of the messages in flight) for ever.
const DefaultDataTimeout = 10 * time.Minute

// data answers DATA: it receives the message, hands it to the backend and
// answers for it once the data has ended. It reports whether the session is
// over (the connection failed in the middle of the data).
func (c *conn) data(arg string) (done bool) {
	switch {
	case arg != "":
		c.reply(501, "5.5.4", "Syntax: DATA (no arguments)")
		return false
	case !c.inTx:
		c.reply(503, "5.5.1", "Need MAIL and RCPT before DATA")
		return false
	case c.rcpts == 0:
		c.reply(503, "5.5.1", "Need RCPT before DATA (no recipient was accepted)")
		return false
	}
	c.reply(354, "", "End data with <CR><LF>.<CR><LF>")
	if err := c.flush(); err != nil {
		c.resetTx()
		return true
	}

	c.r.MaxLine = c.srv.maxTextLine()
	c.renew = true
	limit := c.srv.DataTimeout
	if limit <= 0 {
		limit = DefaultDataTimeout
	}
	c.dataDeadline = time.Now().Add(limit)
	d := wire.NewDataReader(c.r, c.srv.maxMessageBytes())
	dataErr := c.sess.Data(d)
	// Whatever the backend did, read on to the final "." so that the next
	// line is a command again.
	err := d.Drain()
	tooLong := err != nil && isTimeout(err) && !time.Now().Before(c.dataDeadline)
	c.renew, c.dataDeadline = false, time.Time{}
	c.r.MaxLine = c.srv.maxLine()

	if err != nil && !errors.Is(err, wire.ErrLineTooLong) && !errors.Is(err, wire.ErrTooBig) {
		// The connection failed (closed, reset, timed out, or closed by
		// Shutdown when its time was up). Data saw the read error and kept
		// nothing; nothing is acknowledged.
		c.resetTx()
		switch {
		case tooLong:
			c.reply(421, "4.4.2", fmt.Sprintf("%s Error: the message data took longer than %v; closing", c.srv.hostname(), limit))
			c.flush()
		case isTimeout(err):
			c.replyTimeout()
		case !isClosed(err):
			c.srv.logf("smtp: read data from %v: %v", c.nc.RemoteAddr(), err)
		}
		return true
	}
	if c.tracer != nil {
		c.tracer.DataEnd(d.Size(), d.BareLFs())
	}
	switch {
	case errors.Is(err, wire.ErrLineTooLong):
		// Why 554 5.6.0 and not the "500 Line too long" of RFC 5321
		// section 4.5.3.1.10: that is a reply to a command line. Here the
		// reply ends a DATA transaction, and section 4.3.2 allows only 250,
		// 552, 554, 451, 452, 450 and 550 there. The line broke RFC 5321
		// section 4.5.3.1.6 (and RFC 5322 section 2.1.1), a fault of the
		// content that resending will not cure: 554 "Transaction failed",
		// and RFC 3463's X.6.0 "Other or undefined media error" (552 is for
		// size, which is not what happened).
		c.reply(554, "5.6.0", "Line too long: a message line may have at most "+
			strconv.Itoa(c.srv.maxTextLine())+" octets, CRLF included")
	case errors.Is(err, wire.ErrTooBig):
		// RFC 1870 section 6.
		c.reply(552, "5.3.4", "Message size exceeds fixed maximum message size")
	case dataErr != nil:
		c.replyError(dataErr)
	default:
		if q, ok := c.sess.(QueueIDer); ok && q.QueueID() != "" {
			c.reply(250, "2.0.0", "Ok: queued as "+q.QueueID())
		} else {
			c.reply(250, "2.0.0", "Ok: queued")
		}
	}
	c.resetTx()
	return false
}
