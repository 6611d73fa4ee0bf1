#ifndef LISTX_H
#define LISTX_H
struct listx {
	int value;
	struct listx *next;
};
/* Pushes value at the head; returns the new head (NULL when out of memory). */
struct listx *listx_push(struct listx *head, int value);
/* Sorts the list ascending (merge sort); returns the new head. */
struct listx *listx_sort(struct listx *head);
long listx_sum(const struct listx *head);
void listx_free(struct listx *head);
#endif
