// Package whatsapp talks to Meta's WhatsApp Cloud API and to the simpler
// gateways (kiosks, other chat bridges) that post the seed's flat payload.
//
// Inbound: VerifyHandshake answers Meta's subscription check, CheckSignature
// proves a POST came from Meta, ParseWebhook and ParseGateway turn a body into
// validated values. Every field that reaches the rest of the system has been
// checked here, so the server can trust what these functions return.
//
// Bodies: the parsers work on a []byte the caller has already read, and the
// caller bounds that read (http.MaxBytesReader with Limits.MaxBodyBytes, 2 MiB
// by default); the parsers also refuse a longer slice. The standard JSON
// decoder refuses nesting deeper than 10 000 levels, so a hostile body costs
// at most a bounded amount of memory and never exhausts the stack.
//
// Text: invalid UTF-8 is replaced with U+FFFD, not rejected (the JSON decoder
// already does this inside strings), because a citizen's message with one bad
// byte is still worth reading; control characters other than tab and newline
// are dropped, since PostgreSQL refuses NUL in text columns.
//
// Identity: NormalizePhone, SenderID and Sealer keep a phone number only in
// two forms: a keyed hash to recognise the sender, and a sealed copy to reply.
//
// Outbound: Client sends text, reply buttons and templates; Choose picks
// free-form or a pre-approved template by the 24-hour customer-service window.
package whatsapp
