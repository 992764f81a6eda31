package main

import (
	"fmt"
	"path/filepath"
	"strings"
	"time"

	"github.com/urfave/cli/v2"

	"maillab/server/group"
	"maillab/server/relay"
)

func newQueueCommand(e *env) *cli.Command {
	return &cli.Command{
		Name:      "queue",
		Usage:     txtQueueUsage.In(e.lang),
		UsageText: "lab queue [--group N] [--data DIR]",
		Flags: []cli.Flag{
			&cli.IntFlag{Name: "group", Aliases: []string{"g"}, Usage: txtFlagUserGroup.In(e.lang)},
			dataRootFlag(e),
			langFlag(e),
		},
		Action: func(c *cli.Context) error {
			if c.NArg() > 0 {
				return usageError{txtUnexpectedArgs.F(e.lang, strings.Join(c.Args().Slice(), " "))}
			}
			return runQueue(e, c.String("data"), c.Int("group"), time.Now())
		},
	}
}

// runQueue shows what waits in a group's relay queue, and why. It reads the
// queue folder, so it works whether or not the server runs.
func runQueue(e *env, root string, n int, now time.Time) error {
	n, err := pickGroup(e, root, n)
	if err != nil {
		return err
	}
	q, err := relay.OpenQueue(filepath.Join(group.DirFor(root, n), "queue"))
	if err != nil {
		return err
	}
	list, err := q.List()
	if err != nil {
		return err
	}
	if len(list) == 0 {
		fmt.Fprintln(e.stdout, txtQueueEmpty.F(e.lang, n))
		return nil
	}
	fmt.Fprintln(e.stdout, txtQueueHead.F(e.lang, n, len(list)))
	for _, en := range list {
		from := en.From
		if from == "" {
			from = "<>"
		}
		fmt.Fprintf(e.stdout, "\n  %s  %s\n", en.ID, txtQueueAge.F(e.lang, now.Sub(en.Created).Round(time.Second)))
		fmt.Fprintf(e.stdout, "    %s %s → %s (%s)\n", txtQueueEnvelope.In(e.lang), from, strings.Join(en.Rcpts, ", "), txtGroupN.F(e.lang, en.DestGroup))
		if en.Attempts == 0 {
			fmt.Fprintf(e.stdout, "    %s\n", txtQueueNotTried.In(e.lang))
			continue
		}
		wait := en.NextTry.Sub(now).Round(time.Second)
		if wait < 0 {
			wait = 0
		}
		fmt.Fprintf(e.stdout, "    %s\n    %s\n", txtQueueTried.F(e.lang, en.Attempts, wait), txtQueueWhy.F(e.lang, en.LastError))
	}
	return nil
}
