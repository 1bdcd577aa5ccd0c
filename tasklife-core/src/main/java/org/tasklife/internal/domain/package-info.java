/**
 * Domains (SPEC §10): the domain tree, limits counted across nested domains, and the state and
 * status of the stop protocol. The group layer drives the protocol (it knows the groups to kill);
 * this package holds what it decides on.
 */
package org.tasklife.internal.domain;
