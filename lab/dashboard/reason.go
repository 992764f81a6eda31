package dashboard

import (
	"context"
	"errors"
	"io/fs"
	"net"
	"os"
	"syscall"

	"maillab/exercises/i18n"
	"maillab/server/classroom"
	"maillab/server/web"
)

// Reason says in one short sentence of language l why group id's
// evidence could not be read: no server at its address, no answer, no
// data folder, or an answer that is not its maillab server's.
func Reason(l i18n.Lang, c *classroom.Classroom, id int, err error) string {
	addr := ""
	if g, ok := c.Group(id); ok {
		addr = g.WebAddr()
	}
	var pe *fs.PathError
	var ne net.Error
	switch {
	case errors.Is(err, fs.ErrNotExist) && errors.As(err, &pe):
		return txtReasonNoData.F(l, pe.Path)
	case errors.As(err, &pe):
		return txtReasonDataUnreadable.F(l, pe.Path)
	case errors.Is(err, syscall.ECONNREFUSED):
		return txtReasonRefused.F(l, addr)
	case errors.Is(err, context.DeadlineExceeded), errors.Is(err, os.ErrDeadlineExceeded),
		errors.As(err, &ne) && ne.Timeout():
		return txtReasonTimeout.F(l, addr)
	case errors.Is(err, context.Canceled):
		return txtReasonCanceled.F(l)
	case errors.Is(err, web.ErrUnreachable):
		return txtReasonUnreachable.F(l, addr)
	}
	return txtReasonNotMaillab.F(l, addr, id)
}
