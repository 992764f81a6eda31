// Command lab is the maillab lab kit: each group of students runs its own
// SMTP and POP3/APOP mail server with `lab start --group N`, talks to it by
// hand, and checks its progress; instructors grade the class.
//
// Exit codes: 0 success, 1 a failure the user can fix, 2 bad usage.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	os.Exit(run(ctx, os.Args, &env{
		stdin:  os.Stdin,
		stdout: os.Stdout,
		stderr: os.Stderr,
		getenv: os.Getenv,
	}))
}
