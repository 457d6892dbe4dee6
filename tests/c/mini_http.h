/* A minimal blocking HTTP/1.1 client for the C tests that drive delete_op
 * themselves: plain http:// on loopback only, one request per connection
 * (Connection: close), the answer read to the end of the stream. Enough
 * to exercise the sans-IO state machines against the emulator; a real
 * program uses libcurl or its own event loop. Include it before any other
 * header (it needs POSIX sockets). */
#ifndef DELETE_TEST_MINI_HTTP_H
#define DELETE_TEST_MINI_HTTP_H

#define _GNU_SOURCE /* strcasestr */

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "delete.h"

/* An answer: status, up to 32 headers, the body (NUL-terminated too). */
struct mini_answer {
    uint16_t status;
    delete_header headers[32];
    size_t header_count;
    char *raw;
    uint8_t *body;
    size_t body_length;
};

static inline void mini_answer_free(struct mini_answer *answer) {
    free(answer->raw);
    memset(answer, 0, sizeof *answer);
}

/* What went wrong in transport, as delete_op_handle_transport_error
 * takes it; 0 when an answer came. */
static inline delete_transport_error mini_send(const delete_request *request,
                                               struct mini_answer *answer, bool *sent) {
    memset(answer, 0, sizeof *answer);
    *sent = false;
    const char *method = NULL;
    const char *url = NULL;
    if (delete_request_method(request, &method) != DELETE_RESULT_OK ||
        delete_request_url(request, &url) != DELETE_RESULT_OK) {
        return DELETE_TRANSPORT_ERROR_IO;
    }
    char host[64];
    unsigned port = 0;
    int offset = 0;
    if (sscanf(url, "http://%63[0-9.]:%u%n", host, &port, &offset) != 2) {
        return DELETE_TRANSPORT_ERROR_CONNECT;
    }
    const char *path = url + offset;
    struct sockaddr_in address;
    memset(&address, 0, sizeof address);
    address.sin_family = AF_INET;
    address.sin_port = htons((uint16_t)port);
    if (inet_pton(AF_INET, host, &address.sin_addr) != 1) {
        return DELETE_TRANSPORT_ERROR_CONNECT;
    }
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0 || connect(fd, (struct sockaddr *)&address, sizeof address) != 0) {
        if (fd >= 0) close(fd);
        return DELETE_TRANSPORT_ERROR_CONNECT;
    }
    const uint8_t *body = NULL;
    size_t body_length = 0;
    size_t header_count = 0;
    if (delete_request_body(request, &body, &body_length) != DELETE_RESULT_OK ||
        delete_request_header_count(request, &header_count) != DELETE_RESULT_OK) {
        close(fd);
        return DELETE_TRANSPORT_ERROR_IO;
    }
    size_t capacity = 4096 + body_length;
    char *head = malloc(capacity);
    if (head == NULL) {
        close(fd);
        return DELETE_TRANSPORT_ERROR_IO;
    }
    int length = snprintf(head, capacity, "%s %s HTTP/1.1\r\nHost: %s:%u\r\nConnection: close\r\n",
                          method, path[0] ? path : "/", host, port);
    for (size_t i = 0; i < header_count; i++) {
        const char *name = NULL;
        const char *value = NULL;
        if (delete_request_header(request, i, &name, &value) != DELETE_RESULT_OK) {
            abort(); /* i is below the count */
        }
        length += snprintf(head + length, capacity - (size_t)length, "%s: %s\r\n", name, value);
    }
    length += snprintf(head + length, capacity - (size_t)length, "Content-Length: %zu\r\n\r\n",
                       body_length);
    if (body_length > 0) {
        memcpy(head + length, body, body_length);
    }
    size_t total = (size_t)length + body_length;
    ssize_t written = write(fd, head, total);
    /* Wipe the copy: its headers hold the credentials. */
    memset(head, 0, capacity);
    free(head);
    if (written != (ssize_t)total) {
        close(fd);
        *sent = written > 0;
        return DELETE_TRANSPORT_ERROR_IO;
    }
    *sent = true;
    /* The answer: its head, then Content-Length bytes (or to the end of
     * the stream without one); 10 s without a byte is a timeout. */
    struct timeval limit = {10, 0};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &limit, sizeof limit);
    size_t size = 0;
    size_t room = 8192;
    char *raw = malloc(room + 1);
    char *end = NULL;
    size_t wanted = (size_t)-1;
    while (raw != NULL && size < wanted) {
        ssize_t got = read(fd, raw + size, room - size);
        if (got < 0) {
            bool timed_out = errno == EAGAIN || errno == EWOULDBLOCK;
            free(raw);
            close(fd);
            return timed_out ? DELETE_TRANSPORT_ERROR_TIMEOUT : DELETE_TRANSPORT_ERROR_IO;
        }
        if (got == 0) break;
        size += (size_t)got;
        raw[size] = '\0';
        if (end == NULL && (end = strstr(raw, "\r\n\r\n")) != NULL) {
            const char *length_header = strcasestr(raw, "\r\ncontent-length:");
            if (length_header != NULL && length_header < end) {
                wanted = (size_t)(end + 4 - raw) + strtoul(length_header + 17, NULL, 10);
            }
        }
        if (size == room) {
            room *= 2;
            char *bigger = realloc(raw, room + 1);
            if (bigger == NULL) free(raw);
            raw = bigger;
            end = NULL; /* found again in the moved buffer */
        }
    }
    close(fd);
    if (raw == NULL) {
        return DELETE_TRANSPORT_ERROR_IO;
    }
    raw[size] = '\0';
    end = strstr(raw, "\r\n\r\n");
    unsigned status = 0;
    if (end == NULL || sscanf(raw, "HTTP/1.%*u %u", &status) != 1) {
        free(raw);
        return DELETE_TRANSPORT_ERROR_IO;
    }
    *end = '\0';
    answer->raw = raw;
    answer->status = (uint16_t)status;
    answer->body = (uint8_t *)end + 4;
    answer->body_length = size - (size_t)(end + 4 - raw);
    /* The head ends at the NUL written over its blank line. */
    char *line = strstr(raw, "\r\n");
    while (line != NULL && answer->header_count < 32) {
        char *name = line + 2;
        *line = '\0';
        line = strstr(name, "\r\n");
        if (line != NULL) *line = '\0';
        char *colon = strchr(name, ':');
        if (colon == NULL) continue;
        *colon = '\0';
        char *value = colon + 1;
        while (*value == ' ') value++;
        answer->headers[answer->header_count].name = name;
        answer->headers[answer->header_count].value = value;
        answer->header_count++;
    }
    return 0;
}

static inline void mini_sleep_ms(uint64_t ms) {
    struct timespec span = {(time_t)(ms / 1000), (long)(ms % 1000) * 1000000L};
    nanosleep(&span, NULL);
}

/* Milliseconds on a monotonic clock. */
static inline uint64_t mini_now_ms(void) {
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (uint64_t)now.tv_sec * 1000u + (uint64_t)now.tv_nsec / 1000000u;
}

#endif
