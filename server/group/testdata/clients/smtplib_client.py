"""Send one message with Python's smtplib.

usage: smtplib_client.py HOST PORT FROM TO SUBJECT
"""
import smtplib
import sys
from email.message import EmailMessage

host, port, sender, to, subject = sys.argv[1:6]
msg = EmailMessage()
msg["From"] = sender
msg["To"] = to
msg["Subject"] = subject
msg.set_content("Sent with smtplib.\n.A line beginning with a dot.\n")
with smtplib.SMTP(host, int(port), timeout=10) as s:
    s.ehlo("smtplib.example")
    refused = s.send_message(msg)
    print("refused", refused)
