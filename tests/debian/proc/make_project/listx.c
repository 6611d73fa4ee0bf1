#include "listx.h"
#include <stdlib.h>

struct listx *listx_push(struct listx *head, int value)
{
	struct listx *n = malloc(sizeof *n);
	if (!n)
		return NULL;
	n->value = value;
	n->next = head;
	return n;
}

static struct listx *merge(struct listx *a, struct listx *b)
{
	struct listx head = { 0, NULL }, *t = &head;
	while (a && b) {
		if (a->value <= b->value) {
			t->next = a;
			a = a->next;
		} else {
			t->next = b;
			b = b->next;
		}
		t = t->next;
	}
	t->next = a ? a : b;
	return head.next;
}

struct listx *listx_sort(struct listx *head)
{
	if (!head || !head->next)
		return head;
	struct listx *slow = head, *fast = head->next;
	while (fast && fast->next) {
		slow = slow->next;
		fast = fast->next->next;
	}
	struct listx *second = slow->next;
	slow->next = NULL;
	return merge(listx_sort(head), listx_sort(second));
}

long listx_sum(const struct listx *head)
{
	long s = 0;
	for (; head; head = head->next)
		s += head->value;
	return s;
}

void listx_free(struct listx *head)
{
	while (head) {
		struct listx *next = head->next;
		free(head);
		head = next;
	}
}
