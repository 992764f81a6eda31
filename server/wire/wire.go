// Package wire reads and writes the framing that SMTP and POP3 share: text
// lines ended by CRLF with a length limit, and dot-stuffed multi-line data
// ended by a lone ".".
//
// Students type at these servers with telnet and nc, so a line ended by a
// bare LF is taken as a line too; the reader reports it so that the server
// can say so on its console. Everything this package hands on or writes out
// ends its lines with CRLF.
package wire

import (
	"bufio"
	"bytes"
	"errors"
	"io"
)

// ErrLineTooLong is returned for a line longer than the reader's limit. The
// whole line has been consumed, so the conversation can go on.
var ErrLineTooLong = errors.New("wire: line too long")

// ErrTooBig is returned by a DataReader when the message grows past its size
// limit. The rest of the data is still consumed up to the final ".".
var ErrTooBig = errors.New("wire: message too big")

// Reader reads CRLF (or bare LF) terminated lines from a peer.
type Reader struct {
	R *bufio.Reader
	// MaxLine is the longest line accepted, counting its CRLF; zero means
	// no limit.
	MaxLine int

	sawCRLF  bool // some line so far ended in CRLF
	lastLF   bool // the last line read ended in a bare LF
	anyLines bool // a line has been read
}

// NewReader returns a Reader with a buffer big enough for a pipeline of
// commands.
func NewReader(r io.Reader, maxLine int) *Reader {
	return &Reader{R: bufio.NewReaderSize(r, 16<<10), MaxLine: maxLine}
}

// Line is one line read from the peer, without its line end.
type Line struct {
	Text []byte // valid until the next read
	// BareLF is true when the line ended with LF alone rather than CRLF.
	BareLF bool
}

// ReadLine reads one line. Text aliases the reader's buffer and is valid only
// until the next call. A line longer than MaxLine is consumed whole and
// reported as ErrLineTooLong. At end of input with a partial line pending,
// the partial line is discarded and io.ErrUnexpectedEOF returned.
func (r *Reader) ReadLine() (Line, error) {
	var long []byte // used only when a line spans several buffer fills
	n := 0
	tooLong := false
	for {
		chunk, err := r.R.ReadSlice('\n')
		n += len(chunk)
		if r.MaxLine > 0 && n > r.MaxLine {
			tooLong = true
		}
		switch {
		case err == nil:
			if tooLong {
				return Line{}, ErrLineTooLong
			}
			if long != nil {
				long = append(long, chunk...)
				chunk = long
			}
			return r.ended(splitEnd(chunk)), nil
		case errors.Is(err, bufio.ErrBufferFull):
			if !tooLong {
				long = append(long, chunk...)
			}
			continue
		case errors.Is(err, io.EOF):
			if n > 0 {
				return Line{}, io.ErrUnexpectedEOF
			}
			return Line{}, io.EOF
		default:
			return Line{}, err
		}
	}
}

// CRLFSeen reports whether a line read so far ended in CRLF: the peer is
// not an nc that sends bare LFs throughout.
func (r *Reader) CRLFSeen() bool { return r.sawCRLF }

// ended records how a line just read ended.
func (r *Reader) ended(l Line) Line {
	r.anyLines = true
	r.lastLF = l.BareLF
	if !l.BareLF {
		r.sawCRLF = true
	}
	return l
}

// splitEnd takes the line end off a line that ends in LF.
func splitEnd(b []byte) Line {
	b = b[:len(b)-1]
	if len(b) > 0 && b[len(b)-1] == '\r' {
		return Line{Text: b[:len(b)-1]}
	}
	return Line{Text: b, BareLF: true}
}

// DataReader reads the dot-terminated data that follows SMTP DATA (RFC 5321
// section 4.5.2): leading dots are removed, every line comes out ending in
// CRLF, and the final "." line ends the data with io.EOF.
//
// The data ends only at <CRLF>.<CRLF> (RFC 5321 section 4.1.1.4), so that
// a line end that another server would read differently cannot smuggle a
// second message in: a "." line ends the data when it and the line before
// it end in CRLF, or when the session has used bare LFs throughout (a
// student with nc). Any other "." line is text, kept as ".".
//
// The line limit counts a line as RFC 5321 section 4.5.3.1.6 does: with its
// CRLF, without the dot that stuffing added; a line of 1000 octets that
// begins with "." comes as 1001 octets and is accepted.
//
// A line over the limit or a message over MaxSize makes Read return
// ErrLineTooLong or ErrTooBig; the caller should then call Drain, which
// consumes the rest of the data so that the session can go on.
type DataReader struct {
	r       *Reader
	MaxSize int64 // zero means no limit
	size    int64
	pending []byte // the rest of the current line, already unstuffed
	buf     []byte
	err     error // sticky: io.EOF at the end, or the first problem
	bareLF  int
}

// NewDataReader reads message data from r. Lines longer than r.MaxLine are
// refused.
func NewDataReader(r *Reader, maxSize int64) *DataReader {
	return &DataReader{r: r, MaxSize: maxSize}
}

// Read implements io.Reader.
func (d *DataReader) Read(p []byte) (int, error) {
	n := 0
	for n < len(p) {
		if len(d.pending) == 0 {
			if d.err != nil {
				break
			}
			d.next()
			continue
		}
		c := copy(p[n:], d.pending)
		d.pending = d.pending[c:]
		n += c
	}
	if n > 0 {
		return n, nil
	}
	return 0, d.err
}

// readLine reads the next line of data. It reports whether the line is
// the final "." line; a line over the limit (stuffing dot not counted) is
// consumed and reported as ErrLineTooLong.
func (d *DataReader) readLine() (text []byte, last bool, err error) {
	limit := d.r.MaxLine
	endedCRLF := d.r.anyLines && !d.r.lastLF || !d.r.anyLines
	lfOnly := !d.r.sawCRLF
	if limit > 0 {
		d.r.MaxLine = limit + 1 // the stuffing dot
		defer func() { d.r.MaxLine = limit }()
	}
	line, err := d.r.ReadLine()
	if err != nil {
		return nil, false, err
	}
	if line.BareLF {
		d.bareLF++
	}
	text = line.Text
	if limit > 0 {
		n := len(text) + 2
		if line.BareLF {
			n--
		}
		if len(text) > 0 && text[0] == '.' {
			n--
		}
		if n > limit {
			return nil, false, ErrLineTooLong
		}
	}
	if len(text) == 1 && text[0] == '.' {
		if lfOnly && line.BareLF || endedCRLF && !line.BareLF {
			return text, true, nil
		}
		return text, false, nil // <LF>.<LF> in a CRLF session is text
	}
	if len(text) > 0 && text[0] == '.' {
		text = text[1:]
	}
	return text, false, nil
}

// next reads one line into pending, or sets err.
func (d *DataReader) next() {
	text, last, err := d.readLine()
	if err != nil {
		if errors.Is(err, io.EOF) {
			err = io.ErrUnexpectedEOF
		}
		d.err = err
		return
	}
	if last {
		d.err = io.EOF
		return
	}
	d.size += int64(len(text)) + 2
	if d.MaxSize > 0 && d.size > d.MaxSize {
		d.err = ErrTooBig
		return
	}
	d.buf = append(append(d.buf[:0], text...), '\r', '\n')
	d.pending = d.buf
}

// Drain consumes the data up to and including the final "." line, whatever
// went wrong before, and returns the first problem met: nil when the data
// ended cleanly, ErrLineTooLong, ErrTooBig, or an error of the connection
// (after which the session cannot go on).
func (d *DataReader) Drain() error {
	first := d.err
	switch {
	case first == io.EOF:
		return nil
	case first != nil && first != ErrLineTooLong && first != ErrTooBig:
		return first // the connection failed: nothing more will come
	}
	for {
		text, last, err := d.readLine()
		switch {
		case errors.Is(err, ErrLineTooLong):
			if first == nil {
				first = err
			}
			continue
		case errors.Is(err, io.EOF):
			d.err = io.ErrUnexpectedEOF
			return io.ErrUnexpectedEOF
		case err != nil:
			d.err = err
			return err
		}
		if last {
			d.err = io.EOF
			d.pending = nil
			return first
		}
		d.size += int64(len(text)) + 2 // only a measure now
	}
}

// Size is the number of octets of message data read so far (CRLF line ends,
// stuffing dots not counted; after a problem, Drain goes on counting roughly).
func (d *DataReader) Size() int64 { return d.size }

// BareLFs is the number of lines so far that ended with a bare LF.
func (d *DataReader) BareLFs() int { return d.bareLF }

// DotWriter writes multi-line data (RFC 1939 section 3, RFC 5321 section
// 4.5.2): every line that begins with "." gets another "." in front, bare LFs
// are written as CRLF, and Close ends the data with ".\r\n" (adding a CRLF
// first when the data did not end with one).
type DotWriter struct {
	w       *bufio.Writer
	midLine bool // something of the current line has been written
	cr      bool // the last byte written was a CR (held back)
}

// NewDotWriter returns a DotWriter that writes to w. Nothing is flushed.
func NewDotWriter(w *bufio.Writer) *DotWriter { return &DotWriter{w: w} }

// Write implements io.Writer.
func (d *DotWriter) Write(p []byte) (int, error) {
	n := len(p)
	for len(p) > 0 {
		if d.cr {
			// a CR was held back to see whether LF follows
			d.cr = false
			if p[0] != '\n' {
				if err := d.w.WriteByte('\r'); err != nil {
					return 0, err
				}
			}
		}
		if !d.midLine && p[0] == '.' {
			if err := d.w.WriteByte('.'); err != nil {
				return 0, err
			}
		}
		i := bytes.IndexByte(p, '\n')
		if i < 0 {
			chunk := p
			if chunk[len(chunk)-1] == '\r' {
				chunk = chunk[:len(chunk)-1]
				d.cr = true
			}
			if _, err := d.w.Write(chunk); err != nil {
				return 0, err
			}
			d.midLine = len(chunk) > 0 || d.midLine || d.cr
			break
		}
		line := p[:i]
		if len(line) > 0 && line[len(line)-1] == '\r' {
			line = line[:len(line)-1]
		}
		if d.w.Available() >= len(line)+2 {
			// the line and its CRLF in one copy into the buffer
			b := append(d.w.AvailableBuffer(), line...)
			if _, err := d.w.Write(append(b, '\r', '\n')); err != nil {
				return 0, err
			}
		} else {
			if _, err := d.w.Write(line); err != nil {
				return 0, err
			}
			if _, err := d.w.WriteString("\r\n"); err != nil {
				return 0, err
			}
		}
		d.midLine = false
		p = p[i+1:]
	}
	return n, nil
}

// Close ends the data. It does not close or flush the underlying writer.
func (d *DotWriter) Close() error {
	if d.cr {
		d.cr = false
		if err := d.w.WriteByte('\r'); err != nil {
			return err
		}
	}
	if d.midLine {
		if _, err := d.w.WriteString("\r\n"); err != nil {
			return err
		}
		d.midLine = false
	}
	_, err := d.w.WriteString(".\r\n")
	return err
}
