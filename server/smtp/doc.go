// Package smtp is the SMTP server of a group's mail domain (RFC 5321), with
// the extensions SIZE (RFC 1870), 8BITMIME (RFC 6152), PIPELINING (RFC 2920),
// ENHANCEDSTATUSCODES (RFC 2034, RFC 3463) and, when it has a certificate,
// STARTTLS (RFC 3207).
//
// Students talk to it by hand with telnet and nc, so it is strict in what it
// answers and liberal in what it reads: commands are case-insensitive, a line
// ended by a bare LF is a line, "MAIL FROM: <a@b>" with a space is taken,
// and every refusal says what was expected ("503 5.5.1 Need MAIL before
// RCPT", "501 5.5.4 Syntax: MAIL FROM:<address> ...").
//
// The protocol code knows nothing of storage: it calls a [Backend] and its
// [Session]s (backend.go), and a Session that is also a [Tracer] sees every
// command and reply line, which the group server writes to its journal.
//
// # Why not emersion/go-smtp
//
// It was the obvious library, and it was measured against what the lab needs:
// it answers commands sent out of order with 502 where RFC 5321 says 503 (and
// students learn these codes), it opens the backend session only at HELO
// (every connection, even one that never says HELO, belongs in the journal),
// and its Debug writer is one per server (the journal needs one transcript
// per connection). So this package is written on the line framing of
// maillab/server/wire, which POP3 shares.
package smtp
