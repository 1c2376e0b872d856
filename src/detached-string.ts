// V8 returns a substring of 13 or more characters as a view into the string it
// was cut from (a "sliced string"), and the view keeps that whole string
// alive. A parameter name cut from a 150 KB SOAP body and kept in a
// per-device cache would keep the body alive as long as the cache entry (an
// idle fleet held every device's Inform text this way). Structures that
// outlive a message keep their own copies of the strings cut from it.

/** A copy of `s` that shares no memory with the string it was cut from. */
export function detached(s: string): string {
  // Shorter substrings are copies already. Concatenating makes a new string,
  // and slicing that makes V8 flatten it into fresh memory of its own.
  return s.length < 13 ? s : (" " + s).slice(1);
}
