package org.tasklife;

/** Options of a child wait (docs/contract.md, W3, W6). */
public enum WaitOption {
    /** Return at once with an empty result if matching children live and none has ended ({@code WNOHANG}). */
    NO_HANG,
    /** Report an ended child without reaping it; it stays a zombie ({@code WNOWAIT}). */
    NO_REAP
}
