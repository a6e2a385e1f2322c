//! Keyboard-wedge scanners: a scanner "types" its code much faster than a person can, usually
//! followed by Enter. How this till's scanner types is kept here with the till's settings; the
//! window tells a burst from typing by these settings (`ui/src/lib/wedge.ts`, its cases in
//! `ui/tests/wedge.test.ts`): a fast burst of enough characters, with the configured prefix and
//! suffix, ended by the terminator, is a scan; anything else is typing, keys in order, none lost.

pub use pos_shared::settings::{Terminator, WedgeSettings};
