# Helpers for the expect scripts: wait for a reply, fail at once on an
# error reply, a closed connection or a timeout.
set timeout 10

# want waits for the regular expression re; what names the step.
proc want {re what} {
    global bad expect_out
    expect {
        -re $re {}
        -re $bad { puts "\nFAIL: $what: error reply"; exit 1 }
        timeout { puts "\nFAIL: $what: timed out"; exit 1 }
        eof { puts "\nFAIL: $what: connection closed"; exit 1 }
    }
}

# bye waits for the reply to quit and for telnet's own last line, which may
# arrive in one piece with it.
proc bye {re} {
    expect {
        -re "$re\[^\r\n\]*\r\n(.*\n)?Connection closed by foreign host\\." {}
        timeout { puts "\nFAIL: quit: timed out"; exit 1 }
        eof { puts "\nFAIL: quit: no reply"; exit 1 }
    }
}
