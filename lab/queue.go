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
		Usage:     texts["queue-usage"].In(e.lang),
		UsageText: "lab queue [--group N] [--data DIR]",
		Flags: []cli.Flag{
			&cli.IntFlag{Name: "group", Aliases: []string{"g"}, Usage: texts["flag-user-group"].In(e.lang)},
			dataRootFlag(e),
			langFlag(e),
		},
		Action: func(c *cli.Context) error {
			if c.NArg() > 0 {
				return usageError{texts["unexpected-args"].F(e.lang, strings.Join(c.Args().Slice(), " "))}
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
	t := func(k string, args ...any) string { return texts[k].F(e.lang, args...) }
	if len(list) == 0 {
		fmt.Fprintln(e.stdout, t("queue-empty", n))
		return nil
	}
	fmt.Fprintln(e.stdout, t("queue-head", n, len(list)))
	for _, en := range list {
		from := en.From
		if from == "" {
			from = "<>"
		}
		fmt.Fprintf(e.stdout, "\n  %s  %s\n", en.ID, t("queue-age", now.Sub(en.Created).Round(time.Second)))
		fmt.Fprintf(e.stdout, "    %s %s → %s (%s)\n", t("queue-envelope"), from, strings.Join(en.Rcpts, ", "), t("group-n", en.DestGroup))
		if en.Attempts == 0 {
			fmt.Fprintf(e.stdout, "    %s\n", t("queue-not-tried"))
			continue
		}
		wait := en.NextTry.Sub(now).Round(time.Second)
		if wait < 0 {
			wait = 0
		}
		fmt.Fprintf(e.stdout, "    %s\n    %s\n", t("queue-tried", en.Attempts, wait), t("queue-why", en.LastError))
	}
	return nil
}
