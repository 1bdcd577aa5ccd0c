package org.tasklife.internal.group;

import java.util.ArrayList;
import java.util.List;
import org.tasklife.internal.task.TaskControlBlock;

/**
 * A group's task records not yet disposed, in the order they joined: a doubly linked list through the
 * records' own links (TaskControlBlock.memberPrev/memberNext), so a member costs no node object (memory
 * per task). Not thread-safe: every call is made under the group's lock, which also guards the links.
 */
final class MemberList {
    /*
     * Implementation notes
     *
     * Invariants (under the group lock):
     *  M1 a record is in at most one list (its group's), at most once; it is in the list iff it is head or
     *     has a previous link.
     *  M2 head.prev == null, tail.next == null; size counts the records reachable from head.
     * remove() of a record that is not in the list does nothing (as Set.remove did).
     */

    private TaskControlBlock head;
    private TaskControlBlock tail;
    private int size;

    /** Appends {@code t}, which must not be in a list. */
    void add(TaskControlBlock t) {
        assert !contains(t) : "tid " + t.id() + " listed twice";
        t.setMemberLinks(tail, null);
        if (tail == null) {
            head = t;
        } else {
            tail.setMemberNext(t);
        }
        tail = t;
        size++;
    }

    /** Whether {@code t} is in this list (M1). */
    boolean contains(TaskControlBlock t) {
        return t == head || t.memberPrev() != null && t.memberPrev().memberNext() == t;
    }

    /** Removes {@code t} if it is in this list. @return whether it was */
    boolean remove(TaskControlBlock t) {
        if (!contains(t)) {
            return false;
        }
        TaskControlBlock p = t.memberPrev();
        TaskControlBlock n = t.memberNext();
        if (p == null) {
            head = n;
        } else {
            p.setMemberNext(n);
        }
        if (n == null) {
            tail = p;
        } else {
            n.setMemberPrev(p);
        }
        t.setMemberLinks(null, null);
        size--;
        return true;
    }

    /** Number of records. */
    int size() {
        return size;
    }

    /** The records in the order they joined, as a new list. */
    List<TaskControlBlock> toList() {
        List<TaskControlBlock> out = new ArrayList<>(size);
        for (TaskControlBlock t = head; t != null; t = t.memberNext()) {
            out.add(t);
        }
        return out;
    }

    /** The first record, or {@code null}: iterate with {@code memberNext()}, under the group lock. */
    TaskControlBlock first() {
        return head;
    }
}
