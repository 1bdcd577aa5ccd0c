/**
 * Not API: internal to tasklife, not exported, may change at any time.
 *
 * <p>Domains (contract §10): the domain tree and table, limits counted across nested domains, the stop protocol
 * (create, stop, finish, free, the stop wait), authority (who may act on which domain), and the topology lock
 * and ids shared with the group layer above. The groups a stop kills are reached through
 * {@link org.tasklife.internal.domain.Domains.Groups}, which the group layer implements: this package names no
 * group.
 */
package org.tasklife.internal.domain;
