package group

import (
	"maillab/server/mask"
	"maillab/server/pop3"
	"maillab/server/smtp"
)

// MaskCommand masks a command line of a session of proto ("pop3" or
// "smtp") with that protocol's allow-list — a known verb and its innocent
// arguments, else the class and length — as the protocol code did before
// the journal saw it. The web API applies it once more to what it serves
// (web.Config.MaskCommand), without depending on the protocols itself.
func MaskCommand(proto, line string) mask.Line {
	switch proto {
	case "pop3":
		return pop3.Mask(line)
	case "smtp":
		return smtp.Mask(line)
	}
	if m, ok := mask.AsClass(line); ok {
		return m
	}
	return mask.Class(mask.Unknown, len(line))
}
