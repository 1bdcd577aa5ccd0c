package org.tasklife.internal.task;

/**
 * Told once when a task it watches has published its exit status (TaskControlBlock.watchExit): the grace
 * period of a kill (the reaper's kill batch) counts its members down with it, so that its one timer is
 * cancelled when the last of them has ended. The task layer only keeps the reference.
 */
public interface ExitWatch {
    /** One watched task has published its status; called once per task, on its own thread or the watcher's. */
    void watchedTaskEnded();
}
