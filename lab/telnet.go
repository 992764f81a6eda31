package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strconv"

	"github.com/urfave/cli/v2"

	"maillab/lab/lineclient"
)

func newTelnetCommand(e *env) *cli.Command {
	return &cli.Command{
		Name:        "telnet",
		Usage:       txtTelnetUsage.In(e.lang),
		UsageText:   "lab telnet HOST PORT [--bind ADDR] [--lang ja|en]   (lab telnet 127.0.0.1 1110)",
		Description: txtTelnetDescription.In(e.lang),
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "bind", Aliases: []string{"b"}, Usage: txtFlagBind.In(e.lang)},
			langFlag(e),
		},
		Action: func(c *cli.Context) error {
			if c.NArg() != 2 {
				return usageError{txtTelnetArgs.In(e.lang)}
			}
			o := lineclient.Options{Host: c.Args().Get(0), Lang: e.lang}
			var err error
			if o.Port, err = telnetPort(c.Args().Get(1)); err != nil {
				return usageError{txtTelnetBadPort.F(e.lang, c.Args().Get(1))}
			}
			if b := c.String("bind"); b != "" {
				if o.Bind = bindAddr(b); o.Bind == nil {
					return usageError{txtTelnetBadBind.F(e.lang, b)}
				}
			}
			_, inTerm := terminalFd(e.stdin)
			outTerm := isTerminal(e.stdout)
			o.Color = useColor(e)
			o.Terminal = inTerm && outTerm
			o.Pace = !inTerm
			return runTelnet(c.Context, e, o)
		},
	}
}

// telnetPort checks a port: a number, or a service name such as pop3.
func telnetPort(s string) (string, error) {
	if n, err := strconv.Atoi(s); err == nil {
		if n < 1 || n > 65535 {
			return "", fmt.Errorf("port out of range")
		}
		return s, nil
	}
	n, err := net.LookupPort("tcp", s)
	if err != nil {
		return "", err
	}
	return strconv.Itoa(n), nil
}

// bindAddr reads --bind: an IP address, or IP:port.
func bindAddr(s string) *net.TCPAddr {
	if ip := net.ParseIP(s); ip != nil {
		return &net.TCPAddr{IP: ip}
	}
	host, port, err := net.SplitHostPort(s)
	if err != nil {
		return nil
	}
	ip := net.ParseIP(host)
	n, err := strconv.Atoi(port)
	if ip == nil || err != nil || n < 0 || n > 65535 {
		return nil
	}
	return &net.TCPAddr{IP: ip, Port: n}
}

// runTelnet runs one lab telnet session with the command's input and
// output.
func runTelnet(ctx context.Context, e *env, o lineclient.Options) error {
	err := lineclient.Run(ctx, o, e.stdin, e.stdout, e.stderr)
	if le := (*lineclient.Error)(nil); errors.As(err, &le) {
		return failure{le.Error()}
	}
	return err
}
