// Command mailload is the load generator of scripts/bench-peers, which
// drives Postfix and Dovecot beside maillab on a Linux machine; it uses
// system calls that Windows does not have, so there it only says so.
package main

import (
	"fmt"
	"os"
)

func main() {
	fmt.Fprintln(os.Stderr, "mailload runs on Linux and macOS only (it measures servers with their system calls)")
	os.Exit(2)
}
