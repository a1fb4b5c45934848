//! The TCP connection machine of RFC 9293 §3.10 as pure transition functions.
