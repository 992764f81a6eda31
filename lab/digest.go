package main

import (
	"fmt"
	"strings"

	"github.com/urfave/cli/v2"

	"maillab/server/account"
)

func newDigestCommand(e *env) *cli.Command {
	return &cli.Command{
		Name:      "digest",
		Usage:     txtDigestUsage.In(e.lang),
		UsageText: "lab digest TIMESTAMP   (printf '%s' 'SECRET' | lab digest '<1896.697170952@dbc.mtview.ca.us>')",
		Flags:     []cli.Flag{langFlag(e)},
		Action: func(c *cli.Context) error {
			if c.NArg() != 1 {
				return usageError{txtDigestOneTimestamp.In(e.lang)}
			}
			return runDigest(e, c.Args().First())
		},
	}
}

// runDigest prints md5hex(timestamp + secret) exactly as md5sum prints the
// digest of those bytes ("<hex>  -"), and on stderr the md5sum command that
// gives the same, with the echo -n warning.
func runDigest(e *env, timestamp string) error {
	if !strings.HasPrefix(timestamp, "<") || !strings.HasSuffix(timestamp, ">") {
		fmt.Fprintln(e.stderr, txtDigestBrackets.F(e.lang, timestamp))
	}
	secret, err := readSecret(e, txtPromptSecret.In(e.lang), "", false)
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "%s  -\n", account.Digest(timestamp, secret))
	fmt.Fprintln(e.stderr, txtDigestSameAs.F(e.lang, shellQuote(timestamp+txtYourPassword.In(e.lang))))
	fmt.Fprintln(e.stderr, txtDigestEcho.In(e.lang))
	return nil
}

// shellQuote quotes s for a POSIX shell in single quotes.
func shellQuote(s string) string {
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
